package io.aurora4j.store;

/**
 * Bytes could not be decoded into a value: truncated, malformed, nested too deeply, or naming a record or
 * codec that is not registered. The message says what was wrong and, where known, at which offset of the
 * decoded bytes (relative to the start of the value passed to {@link Codecs#decode}).
 */
public class CodecException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long offset;

    /** A decoding failure at {@code offset} of the decoded bytes. */
    public CodecException(long offset, String what) {
        super("cannot decode value at offset " + offset + ": " + what);
        this.offset = offset;
    }

    /** A decoding failure at {@code offset}, caused by {@code cause} (e.g. a record constructor that rejected its components). */
    public CodecException(long offset, String what, Throwable cause) {
        super("cannot decode value at offset " + offset + ": " + what, cause);
        this.offset = offset;
    }

    /** A decoding failure where the offset is not known (e.g. thrown by a user {@link Codec}). */
    public CodecException(String what) {
        super("cannot decode value: " + what);
        this.offset = -1;
    }

    /** Where in the decoded bytes it failed, or {@code -1} if unknown. */
    public long offset() {
        return offset;
    }
}
