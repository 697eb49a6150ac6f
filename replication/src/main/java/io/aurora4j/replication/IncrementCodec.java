package io.aurora4j.replication;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of one checkpoint as it travels through the cluster: an increment a writer committed, or the full
 * image of a replica's newest checkpoint. It is the {@link CheckpointWriter} call sequence, recorded.
 *
 * <pre>
 *   0              8          16         20
 *   +--------------+----------+----------+-------------+------ ops ------...
 *   | checkpointId | baseId   | labelLen | label UTF-8 | op | op | ...
 *   +--------------+----------+----------+-------------+------------------...
 *   labelLen -1: no label. Each op is a code byte followed by its fields; a byte[] or a String is an int
 *   length then its bytes (Strings UTF-8):
 *     1 PUT_OBJECT    id, kind (byte), value
 *     2 REMOVE_OBJECT id
 *     3 PUT_ENTRY     id, key, value
 *     4 REMOVE_ENTRY  id, key
 *     5 PUT_PAGE      id, index (long), page bytes
 * </pre>
 * Little-endian. {@link #apply} checks every length against the bytes that are there before it allocates, so
 * hostile or torn input costs at most its own size and ends in {@link IllegalArgumentException} naming the offset.
 */
final class IncrementCodec {
    static final int HEADER_FIXED = 20;
    private static final byte PUT_OBJECT = 1;
    private static final byte REMOVE_OBJECT = 2;
    private static final byte PUT_ENTRY = 3;
    private static final byte REMOVE_ENTRY = 4;
    private static final byte PUT_PAGE = 5;

    private IncrementCodec() {
    }

    /** Records writer calls into a growing buffer. Not thread-safe (one checkpoint writer). */
    static final class Encoder {
        private final ExpandableArrayBuffer buf = new ExpandableArrayBuffer(256);
        private int pos;

        Encoder(long checkpointId, long baseId, String label) {
            buf.putLong(0, checkpointId, Protocol.ORDER);
            buf.putLong(8, baseId, Protocol.ORDER);
            pos = 16;
            if (label == null) {
                buf.putInt(pos, -1, Protocol.ORDER);
                pos += 4;
            } else {
                putString(label);
            }
        }

        void putObject(String id, byte kind, byte[] value) {
            op(PUT_OBJECT);
            putString(id);
            ensure(1);
            buf.putByte(pos++, kind);
            putBytes(value, 0, value.length);
        }

        void removeObject(String id) {
            op(REMOVE_OBJECT);
            putString(id);
        }

        void putEntry(String id, byte[] key, byte[] value) {
            op(PUT_ENTRY);
            putString(id);
            putBytes(key, 0, key.length);
            putBytes(value, 0, value.length);
        }

        void removeEntry(String id, byte[] key) {
            op(REMOVE_ENTRY);
            putString(id);
            putBytes(key, 0, key.length);
        }

        void putPage(String id, long index, DirectBuffer src, int offset, int length) {
            op(PUT_PAGE);
            putString(id);
            ensure(8);
            buf.putLong(pos, index, Protocol.ORDER);
            pos += 8;
            ensure(4 + length);
            buf.putInt(pos, length, Protocol.ORDER);
            buf.putBytes(pos + 4, src, offset, length);
            pos += 4 + length;
        }

        /** The encoded bytes so far: {@code buffer()[0, length())}. */
        MutableDirectBuffer buffer() {
            return buf;
        }

        int length() {
            return pos;
        }

        private void op(byte code) {
            ensure(1);
            buf.putByte(pos++, code);
        }

        private void putString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            putBytes(b, 0, b.length);
        }

        private void putBytes(byte[] b, int off, int len) {
            ensure(4 + len);
            buf.putInt(pos, len, Protocol.ORDER);
            buf.putBytes(pos + 4, b, off, len);
            pos += 4 + len;
        }

        private void ensure(int more) {
            if ((long) pos + more > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("checkpoint " + buf.getLong(0, Protocol.ORDER)
                        + " does not fit in one replicated increment (2 GiB)");
            }
        }
    }

    /** Encodes the whole of {@code state} as a full checkpoint with its own id and label. */
    static Encoder encodeFull(StoredState state) {
        var cp = state.checkpoint();
        Encoder e = new Encoder(cp.id(), -1, cp.label());
        UnsafeBuffer page = new UnsafeBuffer(new byte[0]);
        for (StoredState.StoredObject o : state.objects()) {
            e.putObject(o.id(), o.kind(), o.value());
            state.forEachEntry(o.id(), (k, v) -> e.putEntry(o.id(), k, v));
            for (long index : state.pages(o.id())) {
                byte[] bytes = readPage(state, o.id(), index);
                page.wrap(bytes);
                e.putPage(o.id(), index, page, 0, bytes.length);
            }
        }
        return e;
    }

    private static byte[] readPage(StoredState state, String id, long index) {
        ExpandableArrayBuffer b = new ExpandableArrayBuffer(4096);
        int len = state.readPage(id, index, b, 0);
        byte[] out = new byte[len];
        b.getBytes(0, out);
        return out;
    }

    /** The header of an encoded checkpoint. */
    record Header(long checkpointId, long baseId, String label, int opsOffset) {
    }

    /** Reads the header of {@code length} bytes at {@code offset}. @throws IllegalArgumentException if malformed */
    static Header header(DirectBuffer b, int offset, int length) {
        Reader r = new Reader(b, offset, length);
        long id = r.getLong();
        long base = r.getLong();
        int labelLen = r.getInt();
        String label = null;
        if (labelLen != -1) {
            label = new String(r.getBytes(labelLen), StandardCharsets.UTF_8);
        }
        return new Header(id, base, label, r.pos);
    }

    /**
     * Replays the ops of an encoded checkpoint into {@code w} (begun by the caller with the header's ids).
     *
     * @throws IllegalArgumentException if the bytes are malformed (the caller aborts {@code w})
     */
    static void apply(DirectBuffer b, int offset, int length, CheckpointWriter w) {
        Header h = header(b, offset, length);
        Reader r = new Reader(b, offset, length);
        r.pos = h.opsOffset();
        UnsafeBuffer page = new UnsafeBuffer(0, 0);
        while (r.pos < offset + length) {
            int at = r.pos - offset;
            byte code = r.getByte();
            switch (code) {
                case PUT_OBJECT -> {
                    String id = r.getString();
                    byte kind = r.getByte();
                    w.putObject(id, kind, r.getBytes(r.getInt()));
                }
                case REMOVE_OBJECT -> w.removeObject(r.getString());
                case PUT_ENTRY -> {
                    String id = r.getString();
                    byte[] key = r.getBytes(r.getInt());
                    w.putEntry(id, key, r.getBytes(r.getInt()));
                }
                case REMOVE_ENTRY -> {
                    String id = r.getString();
                    w.removeEntry(id, r.getBytes(r.getInt()));
                }
                case PUT_PAGE -> {
                    String id = r.getString();
                    long index = r.getLong();
                    int len = r.need(r.getInt());
                    page.wrap(b, r.pos, len);
                    w.putPage(id, index, page, 0, len);
                    r.pos += len;
                }
                default -> throw new IllegalArgumentException("checkpoint " + h.checkpointId() + ": unknown op code "
                        + code + " at offset " + at + " of " + length + " bytes");
            }
        }
    }

    /** Bounds-checked little-endian reads. */
    private static final class Reader {
        private final DirectBuffer b;
        private final int end;
        private final int start;
        int pos;

        Reader(DirectBuffer b, int offset, int length) {
            this.b = b;
            this.start = offset;
            this.pos = offset;
            this.end = offset + length;
        }

        int need(int n) {
            if (n < 0 || n > end - pos) {
                throw new IllegalArgumentException("encoded checkpoint: length " + n + " at offset " + (pos - start)
                        + " exceeds the " + (end - pos) + " bytes left");
            }
            return n;
        }

        byte getByte() {
            need(1);
            return b.getByte(pos++);
        }

        int getInt() {
            need(4);
            int v = b.getInt(pos, Protocol.ORDER);
            pos += 4;
            return v;
        }

        long getLong() {
            need(8);
            long v = b.getLong(pos, Protocol.ORDER);
            pos += 8;
            return v;
        }

        byte[] getBytes(int n) {
            need(n);
            byte[] out = new byte[n];
            b.getBytes(pos, out);
            pos += n;
            return out;
        }

        String getString() {
            return new String(getBytes(getInt()), StandardCharsets.UTF_8);
        }
    }
}
