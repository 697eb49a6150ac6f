package io.aurora4j.store.internal.codec;

/**
 * The value encoding: one tag byte, then the tag's body. Everything is big-endian; lengths and counts are
 * canonical unsigned LEB128 varints (at most 5 bytes, no redundant trailing zero group, at most
 * {@link Integer#MAX_VALUE}).
 *
 * <pre>
 *   tag  body                                          value
 *   0x00 -                                             null
 *   0x01 -                                             Boolean.FALSE
 *   0x02 -                                             Boolean.TRUE
 *   0x03 1 byte                                        Byte
 *   0x04 2 bytes                                       Short
 *   0x05 2 bytes                                       Character
 *   0x06 4 bytes                                       Integer
 *   0x07 8 bytes                                       Long
 *   0x08 4 bytes, Float.floatToIntBits                 Float  (canonical NaN only)
 *   0x09 8 bytes, Double.doubleToLongBits              Double (canonical NaN only)
 *   0x0A varint n, n bytes of well-formed UTF-8         String without unpaired surrogates
 *   0x0B varint n, n UTF-16 chars (2 bytes each)        String with an unpaired surrogate (only then)
 *   0x0C varint n, n bytes                              byte[]
 *   0x0D varint n, n values                             List (decoded unmodifiable, nulls allowed)
 *   0x0E varint n, n values in ascending unsigned byte order of their encodings, no duplicates      Set
 *   0x0F varint n, n (key, value) pairs, keys ascending as in a set                                   Map
 *   0x10 name, varint n, n component values             record allowed under that name
 *   0x11 name, int32 n, n bytes written by the codec    value of the codec registered under that name
 *   0x12 name, varint n (1..1024), n bytes of UTF-8     constant of the enum allowed under that name, by constant name
 *   name = varint n (1..1024), n bytes of UTF-8
 * </pre>
 *
 * Every value has exactly one encoding (the decoder rejects the others), so equal values give equal bytes and
 * map keys can be compared as bytes.
 */
public final class Tags {
    /** Tag of null (see the table above). */
    public static final int NULL = 0x00;
    /** Tag of false (see the table above). */
    public static final int FALSE = 0x01;
    /** Tag of true (see the table above). */
    public static final int TRUE = 0x02;
    /** Tag of byte (see the table above). */
    public static final int BYTE = 0x03;
    /** Tag of short (see the table above). */
    public static final int SHORT = 0x04;
    /** Tag of char (see the table above). */
    public static final int CHAR = 0x05;
    /** Tag of int (see the table above). */
    public static final int INT = 0x06;
    /** Tag of long (see the table above). */
    public static final int LONG = 0x07;
    /** Tag of float (see the table above). */
    public static final int FLOAT = 0x08;
    /** Tag of double (see the table above). */
    public static final int DOUBLE = 0x09;
    /** Tag of string (see the table above). */
    public static final int STRING = 0x0A;
    /** Tag of string16 (see the table above). */
    public static final int STRING16 = 0x0B;
    /** Tag of bytes (see the table above). */
    public static final int BYTES = 0x0C;
    /** Tag of list (see the table above). */
    public static final int LIST = 0x0D;
    /** Tag of set (see the table above). */
    public static final int SET = 0x0E;
    /** Tag of map (see the table above). */
    public static final int MAP = 0x0F;
    /** Tag of record (see the table above). */
    public static final int RECORD = 0x10;
    /** Tag of custom (see the table above). */
    public static final int CUSTOM = 0x11;
    /** Tag of enum (see the table above). */
    public static final int ENUM = 0x12;

    /** The longest record or codec name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 1024;
    /** The deepest nesting of values (the top-level value is depth 1). */
    public static final int MAX_DEPTH = 64;

    private Tags() {
    }
}
