package io.aurora4j.store.testing;

import io.aurora4j.store.StoreIO;
import io.aurora4j.store.testing.FaultInjectingIO.Op;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link StoreIO} over another that acts only on the calls of a store's background deleter (the thread
 * named {@code aurora4j-deleter ...}): it can fail its next {@link Op#DELETE} or {@link Op#FORCE_DIRECTORY}
 * once, or hold its deletions until {@link #release()} — so a test can cut the power while a deletion is
 * pending. Everything else passes straight through. Thread-safe (its state is guarded by its monitor; a held
 * deletion waits on it).
 */
public final class DeleterHooksIO implements StoreIO {
    private final StoreIO io;
    private Op failOnce;
    private boolean failed;
    private boolean hold;
    private Path held;

    public DeleterHooksIO(StoreIO io) {
        this.io = io;
    }

    /** The deleter's next call of {@code op} (DELETE or FORCE_DIRECTORY) throws an injected IOException. */
    public synchronized void failOnce(Op op) {
        if (op != Op.DELETE && op != Op.FORCE_DIRECTORY) {
            throw new IllegalArgumentException("the deleter only deletes and forces the directory, not " + op);
        }
        failOnce = op;
    }

    /** Whether the fault of {@link #failOnce} was injected. */
    public synchronized boolean failed() {
        return failed;
    }

    /** From now on the deleter's deletions wait, before they reach the disk, until {@link #release()}. */
    public synchronized void holdDeletes() {
        hold = true;
    }

    /** The file whose deletion is being held, or null. */
    public synchronized Path held() {
        return held;
    }

    /** Lets held and later deletions through. */
    public synchronized void release() {
        hold = false;
        notifyAll();
    }

    private static boolean onDeleter() {
        return Thread.currentThread().getName().startsWith("aurora4j-deleter");
    }

    private synchronized void inject(Op op) throws IOException {
        if (failOnce == op) {
            failOnce = null;
            failed = true;
            throw new IOException("injected failure of the deleter's " + op);
        }
    }

    @Override
    public void delete(Path file) throws IOException {
        if (onDeleter()) {
            inject(Op.DELETE);
            synchronized (this) {
                try {
                    while (hold) {
                        held = file;
                        wait();
                    }
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("interrupted while held");
                } finally {
                    held = null;
                }
            }
        }
        io.delete(file);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        if (onDeleter()) {
            inject(Op.FORCE_DIRECTORY);
        }
        io.forceDirectory(directory);
    }

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        return io.open(file, create);
    }

    @Override
    public boolean exists(Path file) throws IOException {
        return io.exists(file);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        return io.list(directory);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        io.createDirectories(directory);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        io.rename(from, to);
    }

    @Override
    public Closeable tryLock(Path file) throws IOException {
        return io.tryLock(file);
    }
}
