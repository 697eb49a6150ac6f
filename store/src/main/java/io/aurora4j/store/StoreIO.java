package io.aurora4j.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The file operations a directory store performs, and nothing else, so that tests can put a file system
 * that loses unforced data, tears writes or fails on demand underneath a real store (LevelDB's {@code Env},
 * H2's {@code FilePathReorderWrites}). {@link #fileSystem()} is the real one.
 *
 * <p>Semantics the store relies on, which a substitute must keep: a positional write is visible to reads
 * at once but survives a power cut only after {@link FileHandle#force()}; the creation, rename or deletion
 * of a directory entry survives a power cut only after {@link #forceDirectory(Path)} of its directory;
 * {@link #rename} is atomic.
 *
 * <p>Implementations must be thread-safe; a {@link FileHandle} must allow concurrent positional reads.
 */
public interface StoreIO {

    /** The real file system, through {@link java.nio.channels.FileChannel}. */
    static StoreIO fileSystem() {
        return io.aurora4j.store.internal.FileSystemIO.INSTANCE;
    }

    /**
     * Opens {@code file} for reading and writing.
     *
     * @param create whether to create it when missing; if false a missing file is a
     *               {@link java.nio.file.NoSuchFileException}
     */
    FileHandle open(Path file, boolean create) throws IOException;

    /** Whether {@code file} exists. */
    boolean exists(Path file) throws IOException;

    /** The file names (not paths) in {@code directory}, in no particular order. */
    List<String> list(Path directory) throws IOException;

    /** Creates {@code directory} and missing parents; no effect if it exists. */
    void createDirectories(Path directory) throws IOException;

    /** Makes the creations, renames and deletions of entries in {@code directory} durable. */
    void forceDirectory(Path directory) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    void rename(Path from, Path to) throws IOException;

    /** Deletes {@code file} if it exists. */
    void delete(Path file) throws IOException;

    /**
     * Takes an exclusive lock on {@code file} (created if missing) for this process, or returns null if
     * another holder has it. Closing the result releases it.
     */
    Closeable tryLock(Path file) throws IOException;

    /** An open file: positional reads and writes, size, force, truncate. */
    interface FileHandle extends Closeable {
        /** Reads into {@code dst} from {@code position}; returns the bytes read, or -1 at the end of the file. */
        int read(ByteBuffer dst, long position) throws IOException;

        /** Writes all remaining bytes of {@code src} at {@code position}. */
        void write(ByteBuffer src, long position) throws IOException;

        /** The file's size in bytes. */
        long size() throws IOException;

        /** Makes every write and truncation so far durable (fsync). */
        void force() throws IOException;

        /** Cuts the file to {@code size} bytes; no effect if it is not longer. */
        void truncate(long size) throws IOException;

        /** Closes the handle. */
        @Override
        void close() throws IOException;
    }
}
