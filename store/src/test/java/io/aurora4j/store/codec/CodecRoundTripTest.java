package io.aurora4j.store.codec;

import io.aurora4j.store.Codec;
import io.aurora4j.store.CodecInput;
import io.aurora4j.store.CodecOutput;
import io.aurora4j.store.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every supported value decodes to a value equal to the one encoded. */
class CodecRoundTripTest {
    record Point(int x, int y) {
    }

    record Shape(String name, List<Point> points, Point anchor, Map<String, Long> tags) {
    }

    record AllPrimitives(boolean z, byte b, short s, char c, int i, long l, float f, double d) {
    }

    record Boxed(Long l, Object anything, byte[] bytes) {
    }

    record Empty() {
    }

    /** A user type with a codec. */
    static final class Money {
        final String currency;
        final long cents;

        Money(String currency, long cents) {
            this.currency = currency;
            this.cents = cents;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Money m && m.currency.equals(currency) && m.cents == cents;
        }

        @Override
        public int hashCode() {
            return currency.hashCode() * 31 + Long.hashCode(cents);
        }
    }

    static final class MoneyCodec implements Codec<Money> {
        @Override
        public String name() {
            return "money";
        }

        @Override
        public Class<Money> type() {
            return Money.class;
        }

        @Override
        public void write(Money value, CodecOutput out) {
            out.writeString(value.currency);
            out.writeLong(value.cents);
        }

        @Override
        public Money read(CodecInput in) {
            return new Money(in.readString(), in.readLong());
        }
    }

    static final Codecs CODECS = Codecs.builder()
            .allowRecord(Point.class)
            .allowRecord(Shape.class, "shape")
            .allowRecord(AllPrimitives.class)
            .allowRecord(Boxed.class)
            .allowRecord(Empty.class)
            .register(new MoneyCodec())
            .build();

    static Stream<Object> builtIns() {
        return Stream.of(
                null, true, false,
                (byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE,
                (short) 0, Short.MIN_VALUE, Short.MAX_VALUE,
                'a', Character.MIN_VALUE, Character.MAX_VALUE, '\ud800',
                0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE,
                0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE,
                0.0f, -0.0f, Float.NaN, Float.MIN_VALUE, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                0.0d, -0.0d, Double.NaN, Double.MIN_VALUE, Double.POSITIVE_INFINITY, -Double.MAX_VALUE,
                "", "ascii", "é and 中文 and 😀 (a supplementary char)", "x".repeat(100_000),
                "lone \ud800 high", "lone \udc00 low", "\udc00\ud800 reversed pair", "ends high \ud83d",
                List.of(), List.of(1, "two", 3L), Arrays.asList(null, null), List.of(List.of(List.of())),
                Set.of(), Set.of("a", "b", "c"), new LinkedHashSet<>(Arrays.asList(null, 1)),
                Map.of(), Map.of("k", 1L, "j", 2L), mapWithNulls(),
                Map.of(List.of(1, 2), Set.of("x"), 7, Map.of(true, false)));
    }

    private static Map<Object, Object> mapWithNulls() {
        Map<Object, Object> m = new HashMap<>();
        m.put(null, "null key");
        m.put("null value", null);
        return m;
    }

    @ParameterizedTest
    @MethodSource("builtIns")
    void builtInValuesRoundTrip(Object value) {
        byte[] bytes = Codecs.defaults().encode(value);
        Object back = Codecs.defaults().decode(bytes);
        assertEquals(value, back);
        if (value != null) {
            if (!(value instanceof List || value instanceof Set || value instanceof Map)) {
                assertEquals(value.getClass(), back.getClass(), "decodes to the same class");
            }
        }
        assertArrayEquals(bytes, Codecs.defaults().encode(back), "re-encoding gives the same bytes");
    }

    @Test
    void byteArraysRoundTrip() {
        for (byte[] b : new byte[][] {{}, {0}, {-1, 0, 1, 127, -128}, new byte[70_000]}) {
            assertArrayEquals(b, (byte[]) Codecs.defaults().decode(Codecs.defaults().encode(b)));
        }
    }

    @Test
    void decodedContainersAreUnmodifiable() {
        Object list = Codecs.defaults().decode(Codecs.defaults().encode(new ArrayList<>(List.of(1))));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) list).clear());
        Object map = Codecs.defaults().decode(Codecs.defaults().encode(new TreeMap<>(Map.of(1, 2))));
        assertThrows(UnsupportedOperationException.class, () -> ((Map<?, ?>) map).clear());
    }

    @Test
    void recordsRoundTrip() {
        Shape shape = new Shape("triangle", List.of(new Point(0, 0), new Point(3, 0), new Point(0, 4)),
                new Point(-1, Integer.MAX_VALUE), Map.of("area", 6L));
        assertEquals(shape, CODECS.decode(CODECS.encode(shape)));
        AllPrimitives all = new AllPrimitives(true, (byte) -3, (short) 300, 'q', 7, -8L, 1.5f, Double.NaN);
        assertEquals(all, CODECS.decode(CODECS.encode(all)));
        assertEquals(new Empty(), CODECS.decode(CODECS.encode(new Empty())));
        Boxed boxed = new Boxed(null, List.of(new Point(1, 1)), new byte[] {1, 2});
        Boxed back = (Boxed) CODECS.decode(CODECS.encode(boxed));
        assertNull(back.l());
        assertEquals(boxed.anything(), back.anything());
        assertArrayEquals(boxed.bytes(), back.bytes());
        assertEquals(shape, CODECS.decode(CODECS.encode(shape), Shape.class));
    }

    @Test
    void recordsAreStoredUnderTheirName() {
        byte[] bytes = CODECS.encode(new Shape("s", List.of(), null, Map.of()));
        assertEquals("shape", new String(bytes, 2, 5, java.nio.charset.StandardCharsets.UTF_8));
        byte[] point = CODECS.encode(new Point(1, 2));
        String name = Point.class.getName();
        assertEquals(name, new String(point, 2, name.length(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void userCodecsRoundTripAlsoInsideContainersAndRecords() {
        Money money = new Money("EUR", 12_34);
        assertEquals(money, CODECS.decode(CODECS.encode(money)));
        Map<Money, Boxed> m = Map.of(money, new Boxed(1L, new Money("USD", -1), new byte[0]));
        @SuppressWarnings("unchecked")
        Map<Money, Boxed> back = (Map<Money, Boxed>) CODECS.decode(CODECS.encode(m));
        assertEquals(new Money("USD", -1), back.get(money).anything());
    }

    @Test
    void nestingUpToTheBoundRoundTrips() {
        Object v = "leaf";
        for (int i = 1; i < Codecs.MAX_DEPTH; i++) {
            v = List.of(v);
        }
        assertEquals(v, Codecs.defaults().decode(Codecs.defaults().encode(v)));
        Object deeper = List.of(v);
        assertThrows(IllegalArgumentException.class, () -> Codecs.defaults().encode(deeper));
    }

    @Test
    void decodesASliceOfAnArray() {
        byte[] bytes = Codecs.defaults().encode("slice");
        byte[] padded = new byte[bytes.length + 6];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        assertEquals("slice", Codecs.defaults().decode(padded, 3, bytes.length));
        assertInstanceOf(String.class, Codecs.defaults().decode(bytes, String.class));
    }
}
