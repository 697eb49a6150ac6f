package io.aurora4j.store;

import java.nio.file.Path;

/**
 * Data before the end of a log is corrupt (a checksum or structure check failed where a crash cannot explain
 * it), or an image received from elsewhere is malformed.
 */
public class StoreCorruptedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;

    /** Corruption in {@code file} (null for a stream) at {@code offset}. */
    public StoreCorruptedException(Path file, long offset, String what) {
        super((file == null ? "image" : file.toString()) + " is corrupt at offset " + offset + ": " + what);
        this.file = file;
        this.offset = offset;
    }

    /** The corrupt file, or null for a stream. */
    public Path file() {
        return file;
    }

    /** Byte offset of the corrupt record in the file or stream. */
    public long offset() {
        return offset;
    }
}
