package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A store that counts the pages read back from it ({@link StoredState#readPage}) and written to it
 * ({@link CheckpointWriter#putPage}), and can make page reads fail: what lazy restore tests observe. Everything
 * else goes to the wrapped store. Thread-safe as the wrapped store is.
 */
final class CountingStore implements Store {
    final Store delegate;
    final AtomicLong pageReads = new AtomicLong();
    final AtomicLong pageWrites = new AtomicLong();
    /** When set, every page read throws it (a store failing under a recovered group). */
    final AtomicReference<RuntimeException> failReads = new AtomicReference<>();

    CountingStore(Store delegate) {
        this.delegate = delegate;
    }

    @Override
    public String describe() {
        return "counting " + delegate.describe();
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
        StoredState s = delegate.state(checkpointId);
        return new StoredState() {
            @Override
            public StoredCheckpoint checkpoint() {
                return s.checkpoint();
            }

            @Override
            public List<StoredObject> objects() {
                return s.objects();
            }

            @Override
            public void forEachEntry(String id, EntryVisitor visitor) {
                s.forEachEntry(id, visitor);
            }

            @Override
            public long[] pages(String id) {
                return s.pages(id);
            }

            @Override
            public int readPage(String id, long index, MutableDirectBuffer dst, int offset) {
                RuntimeException f = failReads.get();
                if (f != null) {
                    throw f;
                }
                pageReads.incrementAndGet();
                return s.readPage(id, index, dst, offset);
            }
        };
    }

    @Override
    public CheckpointWriter begin(long id, long baseId, String label) {
        CheckpointWriter w = delegate.begin(id, baseId, label);
        return new CheckpointWriter() {
            @Override
            public long id() {
                return w.id();
            }

            @Override
            public void putObject(String oid, byte kind, byte[] value) {
                w.putObject(oid, kind, value);
            }

            @Override
            public void removeObject(String oid) {
                w.removeObject(oid);
            }

            @Override
            public void putEntry(String oid, byte[] key, byte[] value) {
                w.putEntry(oid, key, value);
            }

            @Override
            public void removeEntry(String oid, byte[] key) {
                w.removeEntry(oid, key);
            }

            @Override
            public void putPage(String oid, long index, DirectBuffer src, int offset, int length) {
                pageWrites.incrementAndGet();
                w.putPage(oid, index, src, offset, length);
            }

            @Override
            public StoredCheckpoint commit() {
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

    @Override
    public DurableLog log(String name) {
        return delegate.log(name);
    }

    @Override
    public long reclaimableBytes() {
        return delegate.reclaimableBytes();
    }

    @Override
    public boolean suggestFull() {
        return delegate.suggestFull();
    }

    @Override
    public boolean isFailed() {
        return delegate.isFailed();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
