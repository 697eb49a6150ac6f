package io.aurora4j.store.internal;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreStats;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Store} in memory, with the semantics of the directory store (same writer checks, same retention
 * of the newest {@value #DEFAULT_RETAIN} checkpoints, same {@link History} of base, head and deltas) and bytes
 * on the heap instead of in files. Checkpoints are durable when committed and die with the JVM; it never
 * fails.
 *
 * <p>Thread-safe: one lock guards the history; a writer writes without it (its changes are private until
 * commit) and readers copy the index they need under it.
 */
public final class MemoryStore implements Store {
    /** Checkpoints a memory store keeps restorable. */
    public static final int DEFAULT_RETAIN = 16;

    private final ReentrantLock lock = new ReentrantLock();
    private final History<byte[]> history;
    private final Map<String, MemoryDurableLog> logs = new ConcurrentHashMap<>();
    private final Clock clock;
    private final String name;
    private Writer writer;
    private boolean closed;
    private long liveBytes; // value bytes of the newest state; guarded by lock

    private MemoryStore(int retain, Clock clock) {
        this.history = new History<>(StateIndex.noTracker(), new StateIndex.Tracker<>() {
            @Override
            public void added(byte[] value) {
                liveBytes += value.length;
            }

            @Override
            public void removed(byte[] value) {
                liveBytes -= value.length;
            }
        }, retain, null);
        this.clock = clock;
        this.name = "memory store@" + Integer.toHexString(System.identityHashCode(this));
    }

    /** A memory store retaining the newest {@value #DEFAULT_RETAIN} checkpoints. */
    public static MemoryStore create() {
        return create(DEFAULT_RETAIN, Clock.systemUTC());
    }

    /** A memory store retaining the newest {@code retain} checkpoints, with {@code clock} for commit times. */
    public static MemoryStore create(int retain, Clock clock) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, was " + retain);
        }
        return new MemoryStore(retain, clock);
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public Optional<StoredCheckpoint> lastDurable() {
        lock.lock();
        try {
            checkNotClosed();
            return Optional.ofNullable(history.newest());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredCheckpoint> checkpoints() {
        lock.lock();
        try {
            checkNotClosed();
            return List.copyOf(history.retained());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StoredState state(long checkpointId) {
        lock.lock();
        try {
            checkNotClosed();
            StoredCheckpoint cp = history.checkpoint(checkpointId);
            StateIndex<byte[]> index = history.stateAt(checkpointId);
            return new IndexedState<>(cp, index, new IndexedState.ValueReader<>() {
                @Override
                public byte[] bytes(byte[] value) {
                    checkOpenForRead();
                    return value.clone();
                }

                @Override
                public int copyPage(byte[] value, MutableDirectBuffer dst, int offset) {
                    checkOpenForRead();
                    dst.putBytes(offset, value);
                    return value.length;
                }
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CheckpointWriter begin(long id, long baseId, String label) {
        lock.lock();
        try {
            checkNotClosed();
            if (writer != null) {
                throw new IllegalStateException(name + ": checkpoint " + writer.id() + " is still being written");
            }
            checkIds(name, history.newest(), id, baseId);
            writer = new Writer(id, baseId, label);
            return writer;
        } finally {
            lock.unlock();
        }
    }

    /** The id rules of {@link Store#begin}, shared with the directory store. */
    static void checkIds(String name, StoredCheckpoint newest, long id, long baseId) {
        if (id < 0) {
            throw new IllegalArgumentException(name + ": checkpoint ids are not negative, was " + id);
        }
        if (newest != null && id <= newest.id()) {
            throw new IllegalArgumentException(name + ": checkpoint id " + id + " does not exceed the newest committed, "
                    + newest.id());
        }
        if (baseId >= 0 && (newest == null || baseId != newest.id())) {
            throw new IllegalArgumentException(name + ": an incremental checkpoint's base must be the newest committed "
                    + "checkpoint (" + (newest == null ? "none" : newest.id()) + "), was " + baseId);
        }
    }

    @Override
    public DurableLog log(String logName) {
        LogNames.check(logName);
        lock.lock();
        try {
            checkNotClosed();
        } finally {
            lock.unlock();
        }
        return logs.computeIfAbsent(logName, MemoryDurableLog::new);
    }

    /** No segments and no cleaning: only {@code liveBytes} applies, counted as the newest state's value bytes. */
    @Override
    public StoreStats stats() {
        lock.lock();
        try {
            checkNotClosed();
            return StoreStats.withoutSegments(liveBytes, 0);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isFailed() {
        return false;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            writer = null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    private void checkOpenForRead() {
        lock.lock();
        try {
            checkNotClosed();
        } finally {
            lock.unlock();
        }
    }

    /** Holds the changes on the heap until commit. */
    private final class Writer extends AbstractCheckpointWriter<byte[]> {
        private long bytes;

        Writer(long id, long baseId, String label) {
            super(id, baseId, label, history.head());
        }

        @Override
        byte[] writeObject(String objectId, byte kind, long orderId, int orderSeq, byte[] value) {
            bytes += value.length;
            return value.clone();
        }

        @Override
        void writeRemoveObject(String objectId) {
        }

        @Override
        byte[] writeEntry(String objectId, byte[] key, byte[] value) {
            bytes += key.length + value.length;
            return value.clone();
        }

        @Override
        void writeRemoveEntry(String objectId, byte[] key) {
        }

        @Override
        byte[] writePage(String objectId, long index, DirectBuffer src, int offset, int length) {
            byte[] page = new byte[length];
            src.getBytes(offset, page);
            bytes += length;
            return page;
        }

        @Override
        StoredCheckpoint doCommit() {
            lock.lock();
            try {
                checkMine();
                long now = clock.millis();
                StoredCheckpoint cp = new StoredCheckpoint(id, baseId, label, now, bytes);
                history.commit(new Delta<>(cp, List.copyOf(ops), history.floorWith(id, now)));
                writer = null;
                return cp;
            } finally {
                lock.unlock();
            }
        }

        @Override
        void doAbort() {
            lock.lock();
            try {
                if (writer == this) {
                    writer = null;
                }
            } finally {
                lock.unlock();
            }
        }

        private void checkMine() {
            checkNotClosed();
            if (writer != this) {
                throw new IllegalStateException(name + ": checkpoint " + id + " was aborted by close");
            }
        }
    }
}
