package io.aurora4j.store;

/**
 * Where a {@link Codec} writes a value. Primitives are written big-endian with fixed widths; strings, byte
 * arrays and nested values are self-describing and are read back with the matching {@link CodecInput} method.
 * Not thread-safe; valid only during the {@link Codec#write} call it is passed to.
 */
public interface CodecOutput {
    /** Writes {@code 1} for true and {@code 0} for false. */
    void writeBoolean(boolean value);

    /** Writes the low 8 bits of {@code value}. */
    void writeByte(int value);

    /** Writes the low 16 bits of {@code value}. */
    void writeShort(int value);

    /** Writes the low 16 bits of {@code value}. */
    void writeChar(int value);

    /** Writes 4 bytes. */
    void writeInt(int value);

    /** Writes 8 bytes. */
    void writeLong(long value);

    /** Writes the 4 bytes of {@link Float#floatToIntBits} (every NaN the same). */
    void writeFloat(float value);

    /** Writes the 8 bytes of {@link Double#doubleToLongBits} (every NaN the same). */
    void writeDouble(double value);

    /** Writes a non-null string, any string (even one with unpaired surrogates). */
    void writeString(String value);

    /** Writes a non-null byte array with its length. */
    void writeBytes(byte[] value);

    /**
     * Writes any value {@link Codecs} can encode (null, built-ins, allowed records, registered codecs),
     * self-describing.
     *
     * @throws IllegalArgumentException if no codec covers the value's class, or nesting exceeds {@link Codecs#MAX_DEPTH}
     */
    void writeValue(Object value);
}
