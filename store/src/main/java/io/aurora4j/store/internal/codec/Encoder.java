package io.aurora4j.store.internal.codec;

import io.aurora4j.store.CodecOutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Encodes one value into a growable array (see {@link Tags} for the format). Not thread-safe; one per encode. */
public final class Encoder implements CodecOutput {
    private static final int MAX_LENGTH = Integer.MAX_VALUE - 16;
    private final CodecRegistry registry;
    private byte[] buf;
    private int pos;
    private int depth;

    /** An encoder for values of {@code registry}, starting with room for {@code initialCapacity} bytes. */
    public Encoder(CodecRegistry registry, int initialCapacity) {
        this(registry, initialCapacity, 0);
    }

    private Encoder(CodecRegistry registry, int initialCapacity, int depth) {
        this.registry = registry;
        this.buf = new byte[Math.max(16, initialCapacity)];
        this.depth = depth;
    }

    /** A copy of what was written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int n) {
        if (buf.length - pos < n) {
            long need = (long) pos + n;
            if (need > MAX_LENGTH) {
                throw new IllegalArgumentException("the encoded value would exceed " + MAX_LENGTH + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(MAX_LENGTH, Math.max(need, 2L * buf.length)));
        }
    }

    @Override
    public void writeValue(Object value) {
        if (value == null) {
            writeByte(Tags.NULL);
            return;
        }
        if (depth >= Tags.MAX_DEPTH) {
            throw new IllegalArgumentException("values nest deeper than " + Tags.MAX_DEPTH
                    + " levels (a cycle?) at a " + value.getClass().getName());
        }
        depth++;
        try {
            registry.writer(value.getClass()).write(value, this);
        } finally {
            depth--;
        }
    }

    // ---- primitives (CodecOutput) ----

    @Override
    public void writeBoolean(boolean value) {
        writeByte(value ? 1 : 0);
    }

    @Override
    public void writeByte(int value) {
        ensure(1);
        buf[pos++] = (byte) value;
    }

    @Override
    public void writeShort(int value) {
        ensure(2);
        buf[pos] = (byte) (value >>> 8);
        buf[pos + 1] = (byte) value;
        pos += 2;
    }

    @Override
    public void writeChar(int value) {
        writeShort(value);
    }

    @Override
    public void writeInt(int value) {
        ensure(4);
        putInt(buf, pos, value);
        pos += 4;
    }

    @Override
    public void writeLong(long value) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[pos + i] = (byte) value;
            value >>>= 8;
        }
        pos += 8;
    }

    @Override
    public void writeFloat(float value) {
        writeInt(Float.floatToIntBits(value));
    }

    @Override
    public void writeDouble(double value) {
        writeLong(Double.doubleToLongBits(value));
    }

    @Override
    public void writeString(String value) {
        writeStringValue(Objects.requireNonNull(value, "value"));
    }

    @Override
    public void writeBytes(byte[] value) {
        writeBytesValue(Objects.requireNonNull(value, "value"));
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    void writeVarInt(int value) {
        ensure(5);
        while ((value & ~0x7F) != 0) {
            buf[pos++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf[pos++] = (byte) value;
    }

    private void writeRaw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    // ---- built-in values ----

    void writeTagged(int tag, long value) {
        writeByte(tag);
        writeLong(value);
    }

    void writeTaggedInt(int value) {
        ensure(5);
        buf[pos++] = Tags.INT;
        putInt(buf, pos, value);
        pos += 4;
    }

    void writeStringValue(String s) {
        int n = s.length();
        if (firstUnpairedSurrogate(s) < 0) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeByte(Tags.STRING);
            writeVarInt(utf8.length);
            writeRaw(utf8, 0, utf8.length);
        } else {
            // UTF-8 cannot hold an unpaired surrogate; keep the exact chars rather than replacing them with '?'.
            writeByte(Tags.STRING16);
            writeVarInt(n);
            ensure(2 * n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                buf[pos++] = (byte) (c >>> 8);
                buf[pos++] = (byte) c;
            }
        }
    }

    /** The index of the first unpaired surrogate, or -1 if {@code s} is well-formed UTF-16. */
    static int firstUnpairedSurrogate(CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    void writeBytesValue(byte[] b) {
        writeByte(Tags.BYTES);
        writeVarInt(b.length);
        writeRaw(b, 0, b.length);
    }

    void writeList(List<?> list) {
        int n = list.size();
        writeByte(Tags.LIST);
        writeVarInt(n);
        int written = 0;
        for (Object element : list) {
            writeValue(element);
            written++;
        }
        if (written != n) {
            throw new IllegalArgumentException("list " + list.getClass().getName() + " changed while being encoded");
        }
    }

    void writeSet(Set<?> set) {
        byte[][] elements = encodeAll(set);
        Arrays.sort(elements, Arrays::compareUnsigned);
        writeByte(Tags.SET);
        writeVarInt(elements.length);
        for (int i = 0; i < elements.length; i++) {
            if (i > 0 && Arrays.equals(elements[i - 1], elements[i])) {
                throw duplicate("set", set);
            }
            writeRaw(elements[i], 0, elements[i].length);
        }
    }

    void writeMap(Map<?, ?> map) {
        int n = map.size();
        byte[][] keys = new byte[n][];
        Object[] values = new Object[n];
        Integer[] order = new Integer[n];
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (i == n) {
                throw new IllegalArgumentException("map " + map.getClass().getName() + " changed while being encoded");
            }
            keys[i] = encodeNested(e.getKey());
            values[i] = e.getValue();
            order[i] = i;
            i++;
        }
        if (i != n) {
            throw new IllegalArgumentException("map " + map.getClass().getName() + " changed while being encoded");
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
        writeByte(Tags.MAP);
        writeVarInt(n);
        for (int k = 0; k < n; k++) {
            byte[] key = keys[order[k]];
            if (k > 0 && Arrays.equals(keys[order[k - 1]], key)) {
                throw duplicate("map", map.keySet());
            }
            writeRaw(key, 0, key.length);
            writeValue(values[order[k]]);
        }
    }

    private IllegalArgumentException duplicate(String what, Collection<?> c) {
        return new IllegalArgumentException("two elements of a " + what + " (" + c.getClass().getName()
                + ") encode to the same bytes: its elements' equals disagrees with their encoding");
    }

    private byte[][] encodeAll(Collection<?> c) {
        int n = c.size();
        byte[][] out = new byte[n][];
        int i = 0;
        for (Object element : c) {
            if (i == n) {
                throw new IllegalArgumentException(c.getClass().getName() + " changed while being encoded");
            }
            out[i++] = encodeNested(element);
        }
        if (i != n) {
            throw new IllegalArgumentException(c.getClass().getName() + " changed while being encoded");
        }
        return out;
    }

    private byte[] encodeNested(Object value) {
        Encoder child = new Encoder(registry, 32, depth);
        child.writeValue(value);
        return child.toByteArray();
    }

    void writeRecord(RecordShape shape, Object record) {
        writeByte(Tags.RECORD);
        writeVarInt(shape.nameBytes.length);
        writeRaw(shape.nameBytes, 0, shape.nameBytes.length);
        int n = shape.arity();
        writeVarInt(n);
        for (int i = 0; i < n; i++) {
            writeValue(shape.component(record, i));
        }
    }

    void writeEnum(EnumShape shape, Object constant) {
        writeByte(Tags.ENUM);
        writeVarInt(shape.nameBytes.length);
        writeRaw(shape.nameBytes, 0, shape.nameBytes.length);
        byte[] constantName = shape.constantName(constant);
        writeVarInt(constantName.length);
        writeRaw(constantName, 0, constantName.length);
    }

    @SuppressWarnings("unchecked")
    void writeCustom(CodecRegistry.Custom custom, Object value) {
        writeByte(Tags.CUSTOM);
        byte[] name = custom.nameBytes();
        writeVarInt(name.length);
        writeRaw(name, 0, name.length);
        ensure(4);
        int lengthAt = pos;
        pos += 4;
        ((io.aurora4j.store.Codec<Object>) custom.codec()).write(value, this);
        putInt(buf, lengthAt, pos - lengthAt - 4);
    }
}
