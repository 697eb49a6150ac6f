package io.aurora4j.txn;

import io.aurora4j.store.Codecs;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One job: the durability of a group without a store — memory is its durability: every checkpoint is as durable as
 * it gets when it is taken, nothing is flushed, and durable logs live in a memory store made on first use.
 *
 * <p>Thread-safe.
 */
final class MemoryDurability implements Durability {
    private final Codecs codecs;
    private final ReentrantLock logLock = new ReentrantLock();
    private volatile Store logStore; // created under logLock on first use

    MemoryDurability(Codecs codecs) {
        this.codecs = codecs != null ? codecs : Codecs.defaults();
    }

    @Override
    public boolean isDurable() {
        return false;
    }

    @Override
    public Codecs codecs() {
        return codecs;
    }

    @Override
    public long durableEpoch() {
        return Long.MAX_VALUE;
    }

    @Override
    public boolean failed() {
        return false;
    }

    @Override
    public Runnable onDurable(Runnable listener) {
        return () -> { };
    }

    @Override
    public void requestFlush() {
        // every checkpoint's durable future is already complete
    }

    @Override
    public DurableLog log(String name) {
        Store s = logStore;
        if (s == null) {
            logLock.lock();
            try {
                s = logStore;
                if (s == null) {
                    s = Store.memory();
                    logStore = s;
                }
            } finally {
                logLock.unlock();
            }
        }
        return s.log(name);
    }

    @Override
    public void policyChanged() {
        // nothing is written
    }

    @Override
    public boolean owesCheckpoint() {
        return false;
    }

    @Override
    public void checkpointTaken(Checkpoint cp) {
        // its durable future is complete from the start
    }

    @Override
    public void rolledBack(Checkpoint target) {
        // nothing on disk to undo
    }

    @Override
    public void beforeClose() {
        // nothing to flush
    }

    @Override
    public void close() {
        logLock.lock();
        try {
            Store s = logStore;
            if (s != null) {
                s.close();
            }
        } finally {
            logLock.unlock();
        }
    }
}
