package io.aurora4j.replication;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.spi.StoredState;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bytes a checkpoint travels as: a full image round-trips every object, entry and page; an increment replays
 * removals; torn or hostile bytes are rejected with {@link IllegalArgumentException} at the offset, never by an
 * allocation their length fields ask for.
 */
class IncrementCodecTest {

    private static StoredState sample(Store s) {
        Random rnd = new Random(3);
        byte[] page = new byte[4096];
        rnd.nextBytes(page);
        try (CheckpointWriter w = s.begin(5, -1, "five")) {
            w.putObject("a", (byte) 1, new byte[] {1, 2, 3});
            w.putObject("m", (byte) 3, new byte[0]);
            w.putEntry("m", new byte[] {9}, new byte[] {8, 7});
            w.putEntry("m", new byte[] {10}, new byte[0]);
            w.putObject("r", (byte) 4, new byte[16]);
            w.putPage("r", 0, new UnsafeBuffer(page), 0, page.length);
            w.putPage("r", 77, new UnsafeBuffer(page), 100, 200);
            w.commit();
        }
        return s.state(5);
    }

    @Test
    void aFullImageRoundTripsEveryObjectEntryAndPage() {
        try (Store from = Store.memory(); Store to = Store.memory()) {
            StoredState src = sample(from);
            IncrementCodec.Encoder e = IncrementCodec.encodeFull(src);
            IncrementCodec.Header h = IncrementCodec.header(e.buffer(), 0, e.length());
            assertEquals(5, h.checkpointId());
            assertEquals(-1, h.baseId());
            assertEquals("five", h.label());
            try (CheckpointWriter w = to.begin(h.checkpointId(), h.baseId(), h.label())) {
                IncrementCodec.apply(e.buffer(), 0, e.length(), w);
                w.commit();
            }
            StoredState dst = to.state(5);
            assertEquals(src.objects().size(), dst.objects().size());
            for (int i = 0; i < src.objects().size(); i++) {
                assertEquals(src.objects().get(i).id(), dst.objects().get(i).id());
                assertEquals(src.objects().get(i).kind(), dst.objects().get(i).kind());
                assertArrayEquals(src.objects().get(i).value(), dst.objects().get(i).value());
            }
            assertEquals(entries(src, "m"), entries(dst, "m"));
            assertArrayEquals(src.pages("r"), dst.pages("r"));
            for (long p : src.pages("r")) {
                ExpandableArrayBuffer a = new ExpandableArrayBuffer(8192);
                ExpandableArrayBuffer b = new ExpandableArrayBuffer(8192);
                int la = src.readPage("r", p, a, 0);
                int lb = dst.readPage("r", p, b, 0);
                assertEquals(la, lb);
                for (int i = 0; i < la; i++) {
                    assertEquals(a.getByte(i), b.getByte(i), "page " + p + " byte " + i);
                }
            }
        }
    }

    @Test
    void anIncrementReplaysRemovals() {
        try (Store s = Store.memory()) {
            sample(s);
            IncrementCodec.Encoder e = new IncrementCodec.Encoder(6, 5, null);
            e.removeEntry("m", new byte[] {9});
            e.removeObject("a");
            try (CheckpointWriter w = s.begin(6, 5, null)) {
                IncrementCodec.apply(e.buffer(), 0, e.length(), w);
                w.commit();
            }
            StoredState st = s.state(6);
            assertFalse(st.objects().stream().anyMatch(o -> o.id().equals("a")));
            assertEquals(List.of("10="), entries(st, "m"));
            assertEquals(null, IncrementCodec.header(e.buffer(), 0, e.length()).label());
        }
    }

    @Test
    void everyTruncationIsRejectedAtItsOffset() {
        try (Store from = Store.memory()) {
            IncrementCodec.Encoder e = IncrementCodec.encodeFull(sample(from));
            for (int len = 0; len < e.length(); len++) {
                int n = len;
                try (Store to = Store.memory(); CheckpointWriter w = to.begin(5, -1, null)) {
                    // a cut inside an op's fields fails; a cut exactly between two ops is a shorter, valid increment
                    try {
                        IncrementCodec.apply(e.buffer(), 0, n, w);
                    } catch (IllegalArgumentException expected) {
                        assertTrue(expected.getMessage().contains("offset"), expected.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void hostileLengthsAreRejectedWithoutAllocating() {
        ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
        b.putLong(0, 1, Protocol.ORDER);
        b.putLong(8, -1, Protocol.ORDER);
        b.putInt(16, Integer.MAX_VALUE, Protocol.ORDER); // a label "of 2 GiB"
        assertThrows(IllegalArgumentException.class, () -> IncrementCodec.header(b, 0, 20));
        b.putInt(16, -1, Protocol.ORDER);
        b.putByte(20, (byte) 5); // PUT_PAGE
        b.putInt(21, 1, Protocol.ORDER);
        b.putByte(25, (byte) 'r');
        b.putLong(26, 0, Protocol.ORDER);
        b.putInt(34, Integer.MAX_VALUE - 1, Protocol.ORDER); // a page "of 2 GiB"
        try (Store s = Store.memory(); CheckpointWriter w = s.begin(1, -1, null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IncrementCodec.apply(b, 0, 38, w));
            assertTrue(e.getMessage().contains("length 2147483646 at offset 38"), e.getMessage());
        }
        b.putByte(20, (byte) 99);
        try (Store s = Store.memory(); CheckpointWriter w = s.begin(1, -1, null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IncrementCodec.apply(b, 0, 21, w));
            assertTrue(e.getMessage().contains("unknown op code 99 at offset 20"), e.getMessage());
        }
    }

    private static List<String> entries(StoredState s, String id) {
        List<String> out = new ArrayList<>();
        s.forEachEntry(id, (k, v) -> out.add(java.util.Arrays.toString(k).replaceAll("[\\[\\] ]", "") + "="
                + java.util.Arrays.toString(v).replaceAll("[\\[\\] ]", "")));
        out.sort(null);
        return out;
    }
}
