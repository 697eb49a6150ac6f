package io.aurora4j.store.codec;

import io.aurora4j.store.CodecException;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.testing.AllocationMeter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10: decoding amplified its input. Every nesting level pre-sized a collection for the whole remaining
 * input before its first element was read, so 64 nested lists each claiming the rest allocated 64 times the
 * input's references before failing; and a list of empty collections cost about 25 times its bytes in wrappers.
 * Decoding now allocates at most {@link #RATIO} times its input plus {@link #SLACK}, which is also the bound the
 * codec fuzz target asserts.
 */
class DecodeAllocationTest {
    /** Bytes allocated per byte decoded, at most (a one-byte null costs a 4 or 8 byte reference; see the README). */
    static final long RATIO = 16;
    /** Constant part of the bound: the decoder, its registry look-ups, a few small arrays. */
    static final long SLACK = 64 * 1024;

    private static final int TAG_LIST = 0x0D;
    private static final int TAG_MAP = 0x0F;
    private static final int TAG_BAD = 0xFF;

    private static byte[] varint(int v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
        return out.toByteArray();
    }

    private static AllocationMeter.Cost decode(byte[] input) {
        return AllocationMeter.measure(() -> Codecs.defaults().decode(input));
    }

    private static void assertBounded(byte[] input, AllocationMeter.Cost cost) {
        assertTrue(cost.heapBytes() <= RATIO * input.length + SLACK, () -> "decoding " + input.length
                + " bytes allocated " + cost.heapBytes() + " bytes (" + (cost.heapBytes() / input.length)
                + " per byte of input)");
    }

    @Test
    void issue10_nestedListsEachClaimingTheRestOfTheInputFailBeforeAllocatingForIt() {
        // 63 list headers, each claiming one element per remaining byte, then 1 MiB of a tag that does not exist.
        int body = 1 << 20;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int level = 0; level < 63; level++) {
            out.write(TAG_LIST);
            out.writeBytes(varint(body));
        }
        byte[] padding = new byte[body];
        Arrays.fill(padding, (byte) TAG_BAD);
        out.writeBytes(padding);
        byte[] input = out.toByteArray();

        AllocationMeter.Cost cost = decode(input);
        assertInstanceOf(CodecException.class, cost.thrown());
        assertBounded(input, cost);
    }

    @Test
    void issue10_aListOfEmptyCollectionsCostsASmallMultipleOfItsBytes() {
        int n = 1 << 19; // 2 bytes each: an empty map (tag, count 0)
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TAG_LIST);
        out.writeBytes(varint(n));
        for (int i = 0; i < n; i++) {
            out.write(TAG_MAP);
            out.write(0);
        }
        byte[] input = out.toByteArray();

        AllocationMeter.Cost cost = decode(input);
        assertEquals(null, cost.thrown());
        assertBounded(input, cost);
    }

    @Test
    void issue10_aLongListOfNullsCostsItsReferencesOnly() {
        int n = 1 << 22; // 4 MiB of nulls
        List<Object> nulls = new ArrayList<>(Collections.nCopies(n, null));
        byte[] input = Codecs.defaults().encode(nulls);

        Object[] decoded = new Object[1];
        AllocationMeter.Cost cost = AllocationMeter.measure(() -> decoded[0] = Codecs.defaults().decode(input));
        assertEquals(null, cost.thrown());
        assertEquals(nulls, decoded[0]);
        assertBounded(input, cost);
    }

    @Test
    void decodedCollectionsStayUnmodifiableAndEqualToWhatWasEncoded() {
        List<Object> value = Arrays.asList(List.of(), List.of(1L), Arrays.asList(null, "x"), Map.of(), "");
        Object decoded = Codecs.defaults().decode(Codecs.defaults().encode(value));
        assertEquals(value, decoded);
        assertEquals(value.hashCode(), decoded.hashCode());
        List<?> list = (List<?>) decoded;
        assertThrows(UnsupportedOperationException.class, () -> list.set(0, null));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) list.get(2)).remove(0));
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(5));
    }
}
