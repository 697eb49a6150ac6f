package io.aurora4j.boundary;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A store that works like the one it wraps, under the test's control:
 * <ul>
 *   <li>{@link #holdCommits()} makes every checkpoint commit wait until {@link #releaseCommits()}: while held,
 *       nothing becomes durable, whatever the group's flusher does and whenever it runs, so a test can assert
 *       "not released yet" without depending on the flusher's scheduling;</li>
 *   <li>{@link #failNextCommit()} makes the next commit fail as a failed {@code fsync} does, and the store stays
 *       failed (it accepts no checkpoint after that).</li>
 * </ul>
 * The oracle for the tests is the wrapped store, which holds exactly what was committed. Thread-safe.
 */
final class ControlledStore implements Store {
    private final Store delegate;
    private volatile boolean armed;
    private volatile java.util.concurrent.CountDownLatch held;
    private volatile boolean failed;

    ControlledStore(Store delegate) {
        this.delegate = delegate;
    }

    /** From now on a commit waits (uninterruptibly) until {@link #releaseCommits()}. */
    void holdCommits() {
        held = new java.util.concurrent.CountDownLatch(1);
    }

    /** Lets waiting and later commits go. */
    void releaseCommits() {
        java.util.concurrent.CountDownLatch h = held;
        held = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** The next commit fails, and the store with it. */
    void failNextCommit() {
        armed = true;
    }

    @Override
    public String describe() {
        return "failing(" + delegate.describe() + ")";
    }

    @Override
    public Optional<StoredCheckpoint> lastDurable() {
        return delegate.lastDurable();
    }

    @Override
    public List<StoredCheckpoint> checkpoints() {
        return delegate.checkpoints();
    }

    @Override
    public StoredState state(long checkpointId) {
        return delegate.state(checkpointId);
    }

    @Override
    public CheckpointWriter begin(long id, long baseId, String label) {
        if (failed) {
            throw new StoreFailedException("store " + describe() + " failed earlier", null);
        }
        CheckpointWriter w = delegate.begin(id, baseId, label);
        return new CheckpointWriter() {
            @Override
            public long id() {
                return w.id();
            }

            @Override
            public void putObject(String objectId, byte kind, byte[] value) {
                w.putObject(objectId, kind, value);
            }

            @Override
            public void removeObject(String objectId) {
                w.removeObject(objectId);
            }

            @Override
            public void putEntry(String objectId, byte[] key, byte[] value) {
                w.putEntry(objectId, key, value);
            }

            @Override
            public void removeEntry(String objectId, byte[] key) {
                w.removeEntry(objectId, key);
            }

            @Override
            public void putPage(String objectId, long index, org.agrona.DirectBuffer src, int offset, int length) {
                w.putPage(objectId, index, src, offset, length);
            }

            @Override
            public StoredCheckpoint commit() {
                awaitRelease();
                if (armed) {
                    failed = true;
                    w.abort();
                    throw new StoreFailedException("store " + describe() + ": force of checkpoint " + id + " failed",
                            new IOException("injected: fsync failed"));
                }
                return w.commit();
            }

            @Override
            public void abort() {
                w.abort();
            }

            @Override
            public void close() {
                w.close();
            }
        };
    }

    private void awaitRelease() {
        java.util.concurrent.CountDownLatch h = held;
        if (h == null) {
            return;
        }
        boolean interrupted = false;
        for (;;) {
            try {
                h.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public DurableLog log(String name) {
        return delegate.log(name);
    }

    @Override
    public boolean isFailed() {
        return failed;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
