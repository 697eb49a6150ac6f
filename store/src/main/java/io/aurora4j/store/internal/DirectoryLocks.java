package io.aurora4j.store.internal;

import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreIO;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Everything that keeps a second store out of a directory a store has open: this JVM's claim on it
 * ({@link OpenDirectories}), the OS lock on {@code LOCK}, and the OS lock on the newest segment.
 *
 * <p>Why three: an operator's stale-lock clean-up may delete {@code LOCK} while the store is open; the OS lock
 * stays on the deleted inode and a second opener locks a new {@code LOCK} undisturbed (issue #10). A second
 * opener must also lock the newest segment, which the store holds locked from the moment it creates a segment
 * (the new one is locked before the old one is let go), before it changes anything; and it lists the segments
 * again after locking, so a segment started meanwhile is seen. In this JVM the registry refuses first, whatever
 * happened to the files. When a segment starts, {@link #checkLockFile} notices a deleted or replaced
 * {@code LOCK}: it locks the new one if it is free, else the store fails closed.
 *
 * <p>POSIX drops a process's locks on a file when <em>any</em> of its descriptors of that file is closed, so
 * the store keeps one handle per segment for its life and never opens another one on the newest segment.
 *
 * <p>Not thread-safe: used at open, under the store's lock when a segment starts, and at close.
 */
final class DirectoryLocks {
    private static final System.Logger LOG = System.getLogger("io.aurora4j.store");

    private final StoreIO io;
    private final Path directory;
    private final Closeable claim;
    private Closeable lockFile;
    private Closeable segmentLock;

    private DirectoryLocks(StoreIO io, Path directory, Closeable claim, Closeable lockFile) {
        this.io = io;
        this.directory = directory;
        this.claim = claim;
        this.lockFile = lockFile;
    }

    /**
     * Claims {@code directory} (which exists) in this JVM and locks its {@code LOCK}.
     *
     * @throws StoreException if another store holds either
     */
    static DirectoryLocks acquire(StoreIO io, Path directory) throws IOException {
        Closeable claim = OpenDirectories.claim(io, directory, "opened by thread " + Thread.currentThread().getName());
        Closeable lockFile;
        try {
            lockFile = io.tryLock(directory.resolve("LOCK"));
        } catch (IOException | RuntimeException e) {
            closeQuietly(claim);
            throw e;
        }
        if (lockFile == null) {
            closeQuietly(claim);
            throw new StoreException("directory " + directory
                    + " is already open by another store, in this or another process (its LOCK file is locked)");
        }
        return new DirectoryLocks(io, directory, claim, lockFile);
    }

    /**
     * At open, before anything is changed on disk: locks the newest of {@code ids} (sorted; nothing if empty),
     * then lists again through {@code list} to see a segment started meanwhile. Replaces a lock taken before.
     *
     * @throws StoreException if another store holds the segment or started a newer one
     */
    void lockNewestSegment(List<Long> ids, LongFunction<Path> pathOf, IOSupplier<List<Long>> list, String store)
            throws IOException {
        closeQuietly(segmentLock);
        segmentLock = null;
        if (ids.isEmpty()) {
            return;
        }
        Path p = pathOf.apply(ids.getLast());
        Closeable l = io.tryLock(p);
        if (l == null) {
            throw new StoreException(store + ": " + p.getFileName() + " is locked by another store, in this or"
                    + " another process, although LOCK was free (was LOCK deleted while that store was open?)");
        }
        segmentLock = l; // released by close() if the open fails from here on
        List<Long> again = list.get();
        if (!again.isEmpty() && again.getLast() > ids.getLast()) {
            throw new StoreException(store + ": " + pathOf.apply(again.getLast()).getFileName() + " was started"
                    + " while opening: another store is writing here (was LOCK deleted while it was open?)");
        }
    }

    /** Locks the segment just created at {@code segment}, then lets the previous one go. */
    void moveSegmentLock(Path segment) throws IOException {
        Closeable l = io.tryLock(segment);
        if (l == null) {
            throw new IOException(segment.getFileName() + " was locked by another store as this one created it"
                    + " (was LOCK deleted while this store was open?)");
        }
        Closeable previous = segmentLock;
        segmentLock = l;
        closeQuietly(previous);
    }

    /**
     * Verifies that {@code LOCK} still names the file this store locked; if an operator deleted or replaced it,
     * locks the new one, or throws if another store holds it. Only the real file system has file keys.
     */
    void checkLockFile(String store) throws IOException {
        if (!(lockFile instanceof FileSystemIO.HeldLock held) || held.stillNamed()) {
            return;
        }
        Closeable again = io.tryLock(directory.resolve("LOCK"));
        if (again == null) {
            throw new IOException("LOCK was deleted or replaced while this store was open, and another store"
                    + " now holds the new one");
        }
        closeQuietly(lockFile);
        lockFile = again;
        LOG.log(System.Logger.Level.WARNING, store + ": LOCK was deleted or replaced while the store was open;"
                + " it locked the new LOCK file");
    }

    /** Releases the locks and the claim. */
    void close() {
        closeQuietly(segmentLock);
        closeQuietly(lockFile);
        closeQuietly(claim);
    }

    static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // a lock or claim dies with the process anyway
        }
    }

    /** A supplier that may throw {@link IOException}. */
    @FunctionalInterface
    interface IOSupplier<T> {
        T get() throws IOException;
    }
}
