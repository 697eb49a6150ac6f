package io.aurora4j.store.internal.codec;

import io.aurora4j.store.CodecException;
import io.aurora4j.store.CodecInput;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes one value from untrusted bytes (see {@link Tags}). Every length and count is checked against the
 * bytes that remain before anything is allocated for it, nesting is bounded, only registered records and
 * codecs are instantiated, and any encoding other than the canonical one is rejected. Every failure is a
 * {@link CodecException} carrying the offset. Not thread-safe; one per decode.
 *
 * <p>Allocation is bounded by the input, not by what it claims. A count is checked against the bytes that remain
 * <em>after</em> those the enclosing lists, sets, maps and records still need for their elements not yet read
 * ({@link #reserved}): the elements of nested containers occupy disjoint bytes, so an honest input always passes,
 * and the collections open at any moment have pre-sized at most one slot per remaining byte in total. Without
 * the reservation each of the 64 nesting levels could pre-size for the whole remaining input before its first
 * element failed (a 1 MiB input allocated about 250 MiB). Empty collections and strings are shared constants and
 * a list is one object over its exact array, so a list of many tiny values costs a small multiple of its bytes.
 */
public final class Decoder implements CodecInput {
    private final CodecRegistry registry;
    private final byte[] buf;
    private final int base;
    private int pos;
    private int limit;
    private int depth;
    /**
     * Bytes that the elements not yet read of the enclosing collections and records need at least (one per list,
     * set or record element, two per map entry): what a nested count may not claim. Bounded by the input's length.
     */
    private long reserved;

    /** A decoder of {@code length} bytes of {@code buf} from {@code offset}. */
    public Decoder(CodecRegistry registry, byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " outside an array of " + buf.length);
        }
        this.registry = registry;
        this.buf = buf;
        this.base = offset;
        this.pos = offset;
        this.limit = offset + length;
    }

    /** Decodes the one value the bytes hold; trailing bytes are an error. */
    public Object decodeWhole() {
        if (pos == limit) {
            throw error(pos, "no bytes to decode");
        }
        Object value = readValue();
        if (pos != limit) {
            throw error(pos, (limit - pos) + " bytes follow the value");
        }
        return value;
    }

    private CodecException error(int at, String what) {
        return new CodecException(at - base, what);
    }

    private void need(int n) {
        if (limit - pos < n) {
            throw error(pos, "truncated: needs " + n + " more bytes, " + (limit - pos) + " remain");
        }
    }

    @Override
    public int remaining() {
        return limit - pos;
    }

    // ---- primitives (CodecInput) ----

    @Override
    public byte readByte() {
        need(1);
        return buf[pos++];
    }

    @Override
    public boolean readBoolean() {
        int at = pos;
        byte b = readByte();
        if (b == 0 || b == 1) {
            return b == 1;
        }
        throw error(at, "a boolean is 0 or 1, not " + b);
    }

    @Override
    public short readShort() {
        need(2);
        short v = (short) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
        pos += 2;
        return v;
    }

    @Override
    public char readChar() {
        return (char) readShort();
    }

    @Override
    public int readInt() {
        need(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    @Override
    public long readLong() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    @Override
    public float readFloat() {
        int at = pos;
        int bits = readInt();
        float f = Float.intBitsToFloat(bits);
        if (Float.isNaN(f) && bits != Float.floatToIntBits(Float.NaN)) {
            throw error(at, "non-canonical float NaN " + Integer.toHexString(bits));
        }
        return f;
    }

    @Override
    public double readDouble() {
        int at = pos;
        long bits = readLong();
        double d = Double.longBitsToDouble(bits);
        if (Double.isNaN(d) && bits != Double.doubleToLongBits(Double.NaN)) {
            throw error(at, "non-canonical double NaN " + Long.toHexString(bits));
        }
        return d;
    }

    @Override
    public String readString() {
        return readValue(String.class, "a string");
    }

    @Override
    public byte[] readBytes() {
        return readValue(byte[].class, "a byte array");
    }

    @Override
    public <T> T readValue(Class<T> type) {
        int at = pos;
        Object v = readValue();
        if (v != null && !type.isInstance(v)) {
            throw error(at, "expected a " + type.getName() + ", found a " + v.getClass().getName());
        }
        return type.cast(v);
    }

    private <T> T readValue(Class<T> type, String what) {
        int at = pos;
        Object v = readValue();
        if (!type.isInstance(v)) {
            throw error(at, "expected " + what + ", found " + (v == null ? "null" : "a " + v.getClass().getName()));
        }
        return type.cast(v);
    }

    /** A canonical unsigned LEB128 varint of at most {@link Integer#MAX_VALUE}. */
    int readVarInt() {
        int at = pos;
        long v = 0;
        for (int i = 0; i < 5; i++) {
            byte b = readByte();
            v |= (long) (b & 0x7F) << (7 * i);
            if (b >= 0) {
                if (b == 0 && i > 0) {
                    throw error(at, "non-canonical length (redundant zero group)");
                }
                if (v > Integer.MAX_VALUE) {
                    throw error(at, "length " + v + " exceeds " + Integer.MAX_VALUE);
                }
                return (int) v;
            }
        }
        throw error(at, "length varint longer than 5 bytes");
    }

    /**
     * A length or count of items each at least {@code minItemBytes} long, checked against what remains once the
     * enclosing collections' remaining elements are set aside ({@link #reserved}).
     */
    private int readCount(String what, int minItemBytes) {
        int at = pos;
        int n = readVarInt();
        long available = limit - pos - reserved;
        if ((long) n * minItemBytes > available) {
            throw error(at, what + " of " + n + " needs at least " + ((long) n * minItemBytes) + " bytes; only "
                    + (limit - pos) + " remain" + (reserved == 0 ? ""
                    : ", of which the enclosing values' remaining elements need " + reserved));
        }
        return n;
    }

    // ---- values ----

    @Override
    public Object readValue() {
        int at = pos;
        int tag = readByte() & 0xFF;
        if (depth >= Tags.MAX_DEPTH) {
            throw error(at, "values nest deeper than " + Tags.MAX_DEPTH + " levels");
        }
        depth++;
        try {
            return switch (tag) {
                case Tags.NULL -> null;
                case Tags.FALSE -> Boolean.FALSE;
                case Tags.TRUE -> Boolean.TRUE;
                case Tags.BYTE -> readByte();
                case Tags.SHORT -> readShort();
                case Tags.CHAR -> readChar();
                case Tags.INT -> readInt();
                case Tags.LONG -> readLong();
                case Tags.FLOAT -> readFloat();
                case Tags.DOUBLE -> readDouble();
                case Tags.STRING -> readUtf8(readCount("a string", 1), at);
                case Tags.STRING16 -> readUtf16(at);
                case Tags.BYTES -> {
                    int n = readCount("a byte array", 1);
                    byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
                    pos += n;
                    yield b;
                }
                case Tags.LIST -> readList();
                case Tags.SET -> readSet(at);
                case Tags.MAP -> readMap(at);
                case Tags.RECORD -> readRecord(at);
                case Tags.CUSTOM -> readCustom(at);
                case Tags.ENUM -> readEnum(at);
                default -> throw error(at, "unknown tag 0x" + Integer.toHexString(tag));
            };
        } finally {
            depth--;
        }
    }

    private String readUtf8(int n, int at) {
        if (n == 0) {
            return "";
        }
        int start = pos;
        pos += n;
        boolean ascii = true;
        for (int i = start; i < start + n; i++) {
            if (buf[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(buf, start, n, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, start, n)).toString();
        } catch (CharacterCodingException e) {
            throw new CodecException(at - base, "a string is not well-formed UTF-8", e);
        }
    }

    private String readUtf16(int at) {
        int n = readCount("a UTF-16 string", 2);
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = (char) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
            pos += 2;
        }
        String s = new String(chars);
        if (Encoder.firstUnpairedSurrogate(s) < 0) {
            throw error(at, "non-canonical string: UTF-16 form used for a string UTF-8 can hold");
        }
        return s;
    }

    private List<Object> readList() {
        int n = readCount("a list", 1);
        if (n == 0) {
            return List.of();
        }
        long outer = reserved;
        reserved += n; // one byte at least per element; each element gives its byte back as it starts
        try {
            Object[] elements = new Object[n];
            for (int i = 0; i < n; i++) {
                reserved--;
                elements[i] = readValue();
            }
            return n == 1 ? Collections.singletonList(elements[0]) : new DecodedList(elements);
        } finally {
            reserved = outer;
        }
    }

    private Set<Object> readSet(int at) {
        int n = readCount("a set", 1);
        if (n == 0) {
            return Set.of();
        }
        long outer = reserved;
        reserved += n;
        try {
            return Collections.unmodifiableSet(readSetElements(at, n));
        } finally {
            reserved = outer;
        }
    }

    private Set<Object> readSetElements(int at, int n) {
        Set<Object> set = new LinkedHashSet<>(capacity(n));
        int previous = -1;
        int previousEnd = -1;
        for (int i = 0; i < n; i++) {
            int start = pos;
            reserved--;
            Object element = readValue();
            checkAscending(previous, previousEnd, start, pos, "set elements");
            previous = start;
            previousEnd = pos;
            set.add(element);
        }
        if (set.size() != n) {
            throw error(at, "a set holds equal elements");
        }
        return set;
    }

    private Map<Object, Object> readMap(int at) {
        int n = readCount("a map", 2);
        if (n == 0) {
            return Map.of();
        }
        long outer = reserved;
        reserved += 2L * n; // a key and a value of one byte at least per entry
        try {
            return Collections.unmodifiableMap(readMapEntries(at, n));
        } finally {
            reserved = outer;
        }
    }

    private Map<Object, Object> readMapEntries(int at, int n) {
        Map<Object, Object> map = new LinkedHashMap<>(capacity(n));
        int previous = -1;
        int previousEnd = -1;
        for (int i = 0; i < n; i++) {
            int start = pos;
            reserved--;
            Object key = readValue();
            checkAscending(previous, previousEnd, start, pos, "map keys");
            previous = start;
            previousEnd = pos;
            reserved--;
            map.put(key, readValue());
        }
        if (map.size() != n) {
            throw error(at, "a map holds equal keys");
        }
        return map;
    }

    private static int capacity(int n) {
        return (int) Math.min(1 << 30, n / 0.75 + 1);
    }

    private void checkAscending(int previous, int previousEnd, int start, int end, String what) {
        if (previous >= 0 && Arrays.compareUnsigned(buf, previous, previousEnd, buf, start, end) >= 0) {
            throw error(start, what + " are not in ascending byte order without duplicates (non-canonical)");
        }
    }

    private String readName() {
        int nameAt = pos;
        int n = readVarInt();
        if (n == 0 || n > Tags.MAX_NAME_BYTES) {
            throw error(nameAt, "a name of " + n + " bytes (1 to " + Tags.MAX_NAME_BYTES + " allowed)");
        }
        need(n);
        return readUtf8(n, nameAt);
    }

    private String kindOf(Object owner) {
        if (owner instanceof RecordShape r) {
            return "the record " + r.name;
        }
        return owner instanceof EnumShape e ? "the enum " + e.name : "the codec " + ((CodecRegistry.Custom) owner).codec().name();
    }

    private Object readEnum(int at) {
        Object owner = lookUp(at);
        if (!(owner instanceof EnumShape shape)) {
            throw error(at, "the value is tagged as an enum constant, but its name is that of " + kindOf(owner));
        }
        int constantAt = pos;
        String constant = readName();
        Object value = shape.constant(constant);
        if (value == null) {
            throw error(constantAt, "enum " + shape.name + " has no constant " + constant);
        }
        return value;
    }

    private Object lookUp(int at) {
        String name = readName();
        Object owner = registry.byName(name);
        if (owner == null) {
            throw error(at, "no record or codec is registered under the name '" + name
                    + "': allow the record or register the codec in the Codecs used to decode");
        }
        return owner;
    }

    private Object readRecord(int at) {
        Object owner = lookUp(at);
        if (!(owner instanceof RecordShape shape)) {
            throw error(at, "the value is tagged as a record, but its name is that of " + kindOf(owner));
        }
        int countAt = pos;
        int n = readVarInt();
        if (n != shape.arity()) {
            throw error(countAt, "record " + shape.name + " has " + shape.arity() + " components; the stored value has " + n);
        }
        long outer = reserved;
        reserved += n;
        Object[] args = new Object[n];
        try {
            for (int i = 0; i < n; i++) {
                int valueAt = pos;
                reserved--;
                args[i] = readValue();
                shape.check(i, args[i], valueAt - base);
            }
        } finally {
            reserved = outer;
        }
        return shape.construct(args, at - base);
    }

    @SuppressWarnings("unchecked")
    private Object readCustom(int at) {
        Object owner = lookUp(at);
        if (!(owner instanceof CodecRegistry.Custom custom)) {
            throw error(at, "the value is tagged as a codec's, but its name is that of " + kindOf(owner));
        }
        int lengthAt = pos;
        int n = readInt();
        if (n < 0 || n > limit - pos) {
            throw error(lengthAt, "a value of codec " + custom.codec().name() + " claims " + n + " bytes; "
                    + (limit - pos) + " remain");
        }
        int outerLimit = limit;
        long outerReserved = reserved;
        int end = pos + n;
        limit = end;
        reserved = 0; // the enclosing values' remaining elements lie after the codec's bytes, outside its limit
        Object value;
        try {
            value = custom.codec().read(this);
        } catch (CodecException e) {
            throw e.offset() >= 0 ? e : new CodecException(at - base, "codec " + custom.codec().name() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CodecException(at - base, "codec " + custom.codec().name() + " failed: " + e, e);
        } finally {
            limit = outerLimit;
            reserved = outerReserved;
        }
        if (pos != end) {
            throw error(at, "codec " + custom.codec().name() + " read " + (pos - end + n) + " of its " + n + " bytes");
        }
        if (value != null && !custom.codec().type().isInstance(value)) {
            throw error(at, "codec " + custom.codec().name() + " returned a " + value.getClass().getName()
                    + ", not a " + custom.codec().type().getName());
        }
        return value;
    }
}
