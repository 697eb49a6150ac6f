package io.aurora4j.store;

/**
 * Where a {@link Codec} reads a value back. Each method reads what the matching {@link CodecOutput} method
 * wrote. Reads are bounded to the value being decoded: reading past it throws a {@link CodecException}, as does
 * any malformed content. Not thread-safe; valid only during the {@link Codec#read} call it is passed to.
 */
public interface CodecInput {
    /** Reads a boolean; a byte other than 0 or 1 is a {@link CodecException}. */
    boolean readBoolean();

    /** Reads one byte. */
    byte readByte();

    /** Reads 2 bytes. */
    short readShort();

    /** Reads 2 bytes. */
    char readChar();

    /** Reads 4 bytes. */
    int readInt();

    /** Reads 8 bytes. */
    long readLong();

    /** Reads 4 bytes. */
    float readFloat();

    /** Reads 8 bytes. */
    double readDouble();

    /** Reads a string written by {@link CodecOutput#writeString}. */
    String readString();

    /** Reads a byte array written by {@link CodecOutput#writeBytes}. */
    byte[] readBytes();

    /** Reads a value written by {@link CodecOutput#writeValue}. */
    Object readValue();

    /**
     * Reads a value written by {@link CodecOutput#writeValue} and checks it is null or a {@code type}.
     *
     * @throws CodecException if it is of another type
     */
    <T> T readValue(Class<T> type);

    /** Bytes of the value being decoded not read yet. */
    int remaining();
}
