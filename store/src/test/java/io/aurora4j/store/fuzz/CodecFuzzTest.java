package io.aurora4j.store.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aurora4j.store.Codec;
import io.aurora4j.store.CodecException;
import io.aurora4j.store.CodecInput;
import io.aurora4j.store.CodecOutput;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.testing.ForeignBytesContract;

import java.util.Arrays;

/**
 * Fuzz target of the codecs ({@code Codecs.decode}, i.e. the {@code Decoder}): bytes a store or an image holds
 * as a value, decoded with records, an enum and a user codec registered. Contract: a {@link CodecException} or
 * a value; at most 16 bytes allocated per input byte plus 1 MiB (the ratio of {@code DecodeAllocationTest}; the constant covers a first call's linkage of string concatenations and lambdas);
 * and since the encoding is canonical, a value that decodes encodes back to exactly the input.
 * Corpus: {@code src/test/resources/io/aurora4j/store/fuzz/CodecFuzzTestInputs/decode}. See the README's "Fuzzing".
 */
class CodecFuzzTest {
    record Point(int x, int y) {
    }

    record Line(Point from, Point to, String label) {
    }

    /** A user codec's value: written through every primitive of {@link CodecOutput}, read back the same way. */
    record Blob(byte[] bytes, long number, double ratio, String text) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Blob b && Arrays.equals(bytes, b.bytes) && number == b.number
                    && Double.compare(ratio, b.ratio) == 0 && text.equals(b.text);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) * 31 + Long.hashCode(number);
        }
    }

    static final Codec<Blob> BLOB = new Codec<>() {
        @Override
        public String name() {
            return "blob";
        }

        @Override
        public Class<Blob> type() {
            return Blob.class;
        }

        @Override
        public void write(Blob value, CodecOutput out) {
            out.writeBytes(value.bytes);
            out.writeLong(value.number);
            out.writeDouble(value.ratio);
            out.writeString(value.text);
        }

        @Override
        public Blob read(CodecInput in) {
            return new Blob(in.readBytes(), in.readLong(), in.readDouble(), in.readString());
        }
    };

    static final Codecs CODECS = Codecs.builder().allowRecord(Point.class, "point").allowRecord(Line.class, "line")
            .register(BLOB).allowEnum(Thread.State.class, "state").build();

    static final ForeignBytesContract CONTRACT = ForeignBytesContract.of("Codecs.decode", 16, 1 << 20,
            CodecException.class);

    @FuzzTest(maxDuration = "10s")
    void decode(byte[] input) {
        Object[] value = new Object[1];
        if (CONTRACT.check(input.length, () -> value[0] = CODECS.decode(input)) == null) {
            byte[] again = CODECS.encode(value[0]);
            if (!Arrays.equals(again, input)) {
                throw new AssertionError("not canonical: " + input.length + " bytes decoded to " + value[0]
                        + ", which encodes to " + again.length + " other bytes");
            }
        }
    }
}
