package io.aurora4j.store.codec;

import io.aurora4j.store.Codec;
import io.aurora4j.store.CodecException;
import io.aurora4j.store.CodecInput;
import io.aurora4j.store.CodecOutput;
import io.aurora4j.store.Codecs;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only registered records and codecs are ever decoded; misuse at registration or encode fails with a message that says what to do. */
class CodecRegistrationTest {
    record Point(int x, int y) {
    }

    record Positive(int value) {
        Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("not positive: " + value);
            }
        }
    }

    record Named(String name) {
    }

    static final class Opaque {
    }

    static <T> Codec<T> codec(String name, Class<T> type, BiConsumer<T, CodecOutput> write, Function<CodecInput, T> read) {
        return new Codec<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Class<T> type() {
                return type;
            }

            @Override
            public void write(T value, CodecOutput out) {
                write.accept(value, out);
            }

            @Override
            public T read(CodecInput in) {
                return read.apply(in);
            }
        };
    }

    @Test
    void anUnregisteredRecordNameIsRejected() {
        byte[] bytes = Codecs.builder().allowRecord(Point.class).build().encode(new Point(1, 2));
        CodecException e = assertThrows(CodecException.class, () -> Codecs.defaults().decode(bytes));
        assertTrue(e.getMessage().contains(Point.class.getName()), e.getMessage());
        assertEquals(0, e.offset());
        // a name that happens to be a loadable class is not loaded either
        Codecs renamed = Codecs.builder().allowRecord(Point.class, "java.lang.Thread").build();
        byte[] thread = renamed.encode(new Point(1, 2));
        assertThrows(CodecException.class, () -> Codecs.builder().allowRecord(Named.class).build().decode(thread));
    }

    @Test
    void anUnregisteredCodecNameIsRejected() {
        Codecs with = Codecs.builder().register(codec("opaque", Opaque.class, (v, o) -> { }, in -> new Opaque())).build();
        byte[] bytes = with.encode(new Opaque());
        assertInstanceOf(Opaque.class, with.decode(bytes));
        CodecException e = assertThrows(CodecException.class, () -> Codecs.defaults().decode(bytes));
        assertTrue(e.getMessage().contains("'opaque'"), e.getMessage());
    }

    @Test
    void aNameRegisteredForTheOtherKindIsRejected() {
        Codecs records = Codecs.builder().allowRecord(Named.class, "x").build();
        Codecs codecs = Codecs.builder().register(codec("x", Opaque.class, (v, o) -> { }, in -> new Opaque())).build();
        assertThrows(CodecException.class, () -> codecs.decode(records.encode(new Named("n"))));
        assertThrows(CodecException.class, () -> records.decode(codecs.encode(new Opaque())));
    }

    @Test
    void encodingAnUnsupportedTypeSaysWhatToRegister() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.defaults().encode(new Opaque()));
        assertTrue(e.getMessage().contains(Opaque.class.getName()) && e.getMessage().contains("register"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Codecs.defaults().encode(List.of(new Point(1, 1))));
        assertTrue(e.getMessage().contains("allowRecord(Point.class)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Codecs.defaults().encode(Thread.State.NEW));
        assertFalse(Codecs.defaults().supports(Opaque.class));
        assertTrue(Codecs.defaults().supports(ArrayList.class));
    }

    @Test
    void aCycleIsRejectedAtEncode() {
        List<Object> self = new ArrayList<>();
        self.add(self);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.defaults().encode(self));
        assertTrue(e.getMessage().contains("deeper than " + Codecs.MAX_DEPTH), e.getMessage());
    }

    @Test
    void conflictingRegistrationsFailAtBuild() {
        Codec<Opaque> a = codec("a", Opaque.class, (v, o) -> { }, in -> new Opaque());
        assertThrows(IllegalArgumentException.class, () -> Codecs.builder().register(a).register(a).build());
        assertThrows(IllegalArgumentException.class,
                () -> Codecs.builder().allowRecord(Point.class, "a").register(a).build());
        assertThrows(IllegalArgumentException.class, () -> Codecs.builder().allowRecord(Point.class).allowRecord(Point.class).build());
        assertThrows(IllegalArgumentException.class,
                () -> Codecs.builder().register(codec("s", String.class, (v, o) -> { }, in -> "")).build());
        assertThrows(IllegalArgumentException.class, () -> Codecs.builder().allowRecord(Point.class, "").build());
        assertThrows(IllegalArgumentException.class, () -> Codecs.builder().allowRecord(Point.class, "n".repeat(1025)).build());
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Record> notARecord = (Class) Opaque.class;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.builder().allowRecord(notARecord));
        assertTrue(e.getMessage().contains("not a record"), e.getMessage());
    }

    @Test
    void aRecordThatCannotBeAccessedFailsAtRegistrationSayingWhatToDo() throws ClassNotFoundException {
        // a record of java.base in a package that is neither exported nor open to us
        Class<? extends Record> hidden = Class.forName("jdk.internal.foreign.abi.VMStorage").asSubclass(Record.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.builder().allowRecord(hidden));
        assertTrue(e.getMessage().contains("opens jdk.internal.foreign.abi to io.aurora4j.store"), e.getMessage());
        assertTrue(e.getMessage().contains("allowRecord(MethodHandles.lookup(), VMStorage.class)"), e.getMessage());
    }

    @Test
    void aLookupGivenAtRegistrationIsUsed() {
        Codecs codecs = Codecs.builder().allowRecord(MethodHandles.lookup(), Point.class, "p").build();
        assertEquals(new Point(3, 4), codecs.decode(codecs.encode(new Point(3, 4))));
    }

    @Test
    void aRecordConstructorRejectingStoredComponentsIsACodecException() {
        Codecs codecs = Codecs.builder().allowRecord(Positive.class, "pos").allowRecord(Named.class, "named").build();
        byte[] bytes = codecs.encode(new Positive(1));
        bytes[bytes.length - 1] = 0; // the int component becomes 0
        CodecException e = assertThrows(CodecException.class, () -> codecs.decode(bytes));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void storedComponentsOfTheWrongTypeAreACodecException() {
        // same name, another shape: a record stored as Named(String) decoded as Positive(int)
        byte[] named = Codecs.builder().allowRecord(Named.class, "r").build().encode(new Named("x"));
        Codecs other = Codecs.builder().allowRecord(Positive.class, "r").build();
        CodecException e = assertThrows(CodecException.class, () -> other.decode(named));
        assertTrue(e.getMessage().contains("component value of record r"), e.getMessage());
        byte[] nullComponent = Codecs.builder().allowRecord(Named.class, "r").build().encode(new Named(null));
        assertThrows(CodecException.class, () -> other.decode(nullComponent));
        byte[] point = Codecs.builder().allowRecord(Point.class, "r").build().encode(new Point(1, 2));
        e = assertThrows(CodecException.class, () -> other.decode(point));
        assertTrue(e.getMessage().contains("has 1 components; the stored value has 2"), e.getMessage());
    }

    @Test
    void aUserCodecMustReadExactlyWhatItWrote() {
        Codec<Opaque> writesTwo = codec("o", Opaque.class, (v, o) -> o.writeShort(1), in -> {
            in.readByte();
            return new Opaque();
        });
        Codecs lazy = Codecs.builder().register(writesTwo).build();
        assertThrows(CodecException.class, () -> lazy.decode(lazy.encode(new Opaque())));

        Codec<Opaque> greedy = codec("o", Opaque.class, (v, o) -> o.writeShort(1), in -> {
            in.readLong();
            return new Opaque();
        });
        Codecs g = Codecs.builder().register(greedy).build();
        byte[] bytes = g.encode(List.of(new Opaque(), 123456789L)); // the next value's bytes are out of its reach
        assertThrows(CodecException.class, () -> g.decode(bytes));
    }

    @Test
    void aUserCodecThrowingIsWrappedInACodecException() {
        Codec<Opaque> throwing = codec("o", Opaque.class, (v, o) -> { }, in -> {
            throw new IllegalStateException("boom");
        });
        Codecs codecs = Codecs.builder().register(throwing).build();
        CodecException e = assertThrows(CodecException.class, () -> codecs.decode(codecs.encode(new Opaque())));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        Codec<Opaque> wrongType = codec("o", Opaque.class, (v, o) -> { }, in -> null);
        Codecs c2 = Codecs.builder().register(wrongType).build();
        assertEquals(null, c2.decode(c2.encode(new Opaque())));
    }

    @Test
    void aCodecCoversSubclassesUnlessACloserOneIsRegistered() {
        Codec<Number> numbers = codec("number", Number.class, (v, o) -> o.writeString(v.toString()),
                in -> new java.math.BigDecimal(in.readString()));
        Codecs codecs = Codecs.builder().register(numbers).build();
        assertEquals(new java.math.BigDecimal("1.5"), codecs.decode(codecs.encode(new java.math.BigDecimal("1.5"))));
        assertEquals(7L, codecs.decode(codecs.encode(7L)), "built-ins stay built in");
        assertTrue(Objects.nonNull(codecs.decode(codecs.encode(java.math.BigInteger.TEN))));
    }
}
