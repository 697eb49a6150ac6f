package io.aurora4j.store.codec;

import io.aurora4j.store.Codec;
import io.aurora4j.store.CodecException;
import io.aurora4j.store.CodecInput;
import io.aurora4j.store.CodecOutput;
import io.aurora4j.store.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Decoding untrusted bytes: every malformed input is a {@link CodecException} — never another exception, a hang
 * or an allocation the input did not pay for.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecMalformedInputTest {
    record Point(int x, int y) {
    }

    record Line(Point from, Point to, String label) {
    }

    static final class Tag {
        final String text;

        Tag(String text) {
            this.text = text;
        }
    }

    static final Codec<Tag> TAG = new Codec<>() {
        @Override
        public String name() {
            return "tag";
        }

        @Override
        public Class<Tag> type() {
            return Tag.class;
        }

        @Override
        public void write(Tag value, CodecOutput out) {
            out.writeString(value.text);
            out.writeInt(value.text.length());
            out.writeValue(List.of(value.text));
        }

        @Override
        public Tag read(CodecInput in) {
            Tag tag = new Tag(in.readString());
            if (in.readInt() != tag.text.length()) {
                throw new CodecException("length mismatch");
            }
            in.readValue(List.class);
            return tag;
        }
    };

    static final Codecs CODECS = Codecs.builder().allowRecord(Point.class).allowRecord(Line.class, "line")
            .register(TAG).allowEnum(Thread.State.class, "state").build();

    static final List<Object> SAMPLES = List.of(
            Long.MIN_VALUE, 42, (short) 7, (byte) 1, 'c', true, 1.25f, Math.PI,
            "héllo 😀", "lone \ud800", new byte[] {1, 2, 3},
            List.of(1L, "two", List.of()), Set.of("a", "b"), Map.of("k", List.of(1, 2), "j", Map.of()),
            new Line(new Point(1, 2), new Point(3, 4), "l"), new Tag("custom"),
            Map.of(new Point(0, 0), List.of(new Tag("x"), Set.of(1.0, 2.0))), Thread.State.BLOCKED);

    /** Decodes, expecting success or a CodecException and nothing else. */
    private static void decodeOrCodecException(byte[] bytes) {
        try {
            CODECS.decode(bytes);
        } catch (CodecException expected) {
            assertTrue(expected.offset() >= 0 && expected.offset() <= bytes.length, expected.getMessage());
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError("decoding " + Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 64)))
                    + " threw " + e, e);
        }
    }

    @Test
    void everyTruncationIsACodecException() {
        for (Object sample : SAMPLES) {
            byte[] bytes = CODECS.encode(sample);
            for (int n = 0; n < bytes.length; n++) {
                byte[] truncated = Arrays.copyOf(bytes, n);
                assertThrows(CodecException.class, () -> CODECS.decode(truncated),
                        () -> sample + " truncated to " + truncated.length + " bytes");
            }
        }
    }

    @Test
    void trailingBytesAreACodecException() {
        for (Object sample : SAMPLES) {
            byte[] bytes = Arrays.copyOf(CODECS.encode(sample), CODECS.encode(sample).length + 1);
            CodecException e = assertThrows(CodecException.class, () -> CODECS.decode(bytes));
            assertEquals(bytes.length - 1, e.offset());
        }
    }

    @Test
    void everySingleByteChangeDecodesOrIsACodecException() {
        for (Object sample : SAMPLES) {
            byte[] bytes = CODECS.encode(sample);
            for (int i = 0; i < bytes.length; i++) {
                for (int v : new int[] {0x00, 0x01, 0x7F, 0x80, 0xFF, bytes[i] ^ 0x01, bytes[i] ^ 0x40}) {
                    byte[] changed = bytes.clone();
                    changed[i] = (byte) v;
                    decodeOrCodecException(changed);
                }
            }
        }
    }

    @Test
    void randomBytesDecodeOrAreACodecException() {
        Random random = new Random(20240601L);
        for (int round = 0; round < 200_000; round++) {
            byte[] bytes = new byte[random.nextInt(48)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) random.nextInt(0x14); // mostly valid tags, to get past the first byte
            }
            decodeOrCodecException(bytes);
        }
    }

    @Test
    void randomSplicesOfValidEncodingsDecodeOrAreACodecException() {
        Random random = new Random(7L);
        byte[][] encodings = SAMPLES.stream().map(CODECS::encode).toArray(byte[][]::new);
        for (int round = 0; round < 50_000; round++) {
            byte[] a = encodings[random.nextInt(encodings.length)];
            byte[] b = encodings[random.nextInt(encodings.length)];
            int cut = random.nextInt(a.length + 1);
            int from = random.nextInt(b.length + 1);
            byte[] spliced = new byte[cut + b.length - from];
            System.arraycopy(a, 0, spliced, 0, cut);
            System.arraycopy(b, from, spliced, cut, b.length - from);
            decodeOrCodecException(spliced);
        }
    }

    @Test
    void hugeLengthsAreRejectedBeforeAllocating() {
        byte[] maxVarint = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07}; // Integer.MAX_VALUE
        for (int tag : new int[] {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}) {
            byte[] bytes = new byte[1 + maxVarint.length + 3];
            bytes[0] = (byte) tag;
            System.arraycopy(maxVarint, 0, bytes, 1, maxVarint.length);
            CodecException e = assertThrows(CodecException.class, () -> CODECS.decode(bytes));
            assertTrue(e.getMessage().contains("remain"), e.getMessage());
        }
        byte[] tooBig = {0x0C, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}; // > Integer.MAX_VALUE
        assertThrows(CodecException.class, () -> CODECS.decode(tooBig));
        byte[] custom = {0x11, 3, 't', 'a', 'g', 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertThrows(CodecException.class, () -> CODECS.decode(custom));
        byte[] longName = {0x10, (byte) 0xFF, (byte) 0xFF, 0x03};
        assertThrows(CodecException.class, () -> CODECS.decode(longName));
    }

    @Test
    void nestingDeeperThanTheBoundIsACodecException() {
        byte[] deep = new byte[100_000];
        Arrays.fill(deep, (byte) 0x0D);
        for (int i = 1; i < deep.length; i += 2) {
            deep[i] = 1; // a list of one list of one list ...
        }
        CodecException e = assertThrows(CodecException.class, () -> CODECS.decode(deep));
        assertTrue(e.getMessage().contains("deeper than " + Codecs.MAX_DEPTH), e.getMessage());
        assertEquals(2 * Codecs.MAX_DEPTH, e.offset());
    }

    @Test
    void unknownTagsAreACodecException() {
        for (int tag = 0x13; tag <= 0xFF; tag++) {
            int t = tag;
            CodecException e = assertThrows(CodecException.class, () -> CODECS.decode(new byte[] {(byte) t, 0, 0, 0}));
            assertTrue(e.getMessage().contains("unknown tag"), e.getMessage());
        }
        assertThrows(CodecException.class, () -> CODECS.decode(new byte[0]));
    }

    @Test
    void nonCanonicalEncodingsAreRejected() {
        expectRejected("overlong varint", 0x0C, 0x80, 0x00);
        expectRejected("varint of 6 bytes", 0x0C, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
        expectRejected("set out of order", 0x0E, 2, 0x06, 0, 0, 0, 2, 0x06, 0, 0, 0, 1);
        expectRejected("set with a duplicate", 0x0E, 2, 0x06, 0, 0, 0, 1, 0x06, 0, 0, 0, 1);
        expectRejected("map keys out of order", 0x0F, 2, 0x06, 0, 0, 0, 2, 0x00, 0x06, 0, 0, 0, 1, 0x00);
        expectRejected("UTF-16 form of a well-formed string", 0x0B, 1, 0, 'a');
        expectRejected("malformed UTF-8", 0x0A, 1, 0xC3);
        expectRejected("overlong UTF-8", 0x0A, 2, 0xC0, 0xAF);
        expectRejected("UTF-8 encoded surrogate", 0x0A, 3, 0xED, 0xA0, 0x80);
        expectRejected("non-canonical float NaN", 0x08, 0x7F, 0xC0, 0x00, 0x01);
        expectRejected("non-canonical double NaN", 0x09, 0x7F, 0xF8, 0, 0, 0, 0, 0, 1);
        assertEquals(Set.of(1, 2), CODECS.decode(bytes(0x0E, 2, 0x06, 0, 0, 0, 1, 0x06, 0, 0, 0, 2)));
    }

    @Test
    void aRecordWithTheWrongNumberOfComponentsIsRejected() {
        byte[] point = CODECS.encode(new Point(1, 2));
        int countAt = point.length - 2 * 5 - 1;
        point[countAt] = 3;
        assertThrows(CodecException.class, () -> CODECS.decode(point));
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static void expectRejected(String what, int... values) {
        try {
            Object decoded = CODECS.decode(bytes(values));
            fail(what + " decoded to " + decoded);
        } catch (CodecException expected) {
            // rejected, as it must be
        }
    }
}
