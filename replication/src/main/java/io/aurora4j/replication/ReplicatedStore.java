package io.aurora4j.replication;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Store} whose checkpoints are committed through a cluster of {@link ReplicaNode}s: a checkpoint exists
 * once a majority of the members has its increment in their logs and the replicas applied it, so it survives the
 * loss of the primary and of any minority of members.
 *
 * {@snippet :
 * ReplicatedStore store = ReplicatedStore.open(settings); // becomes the one writer
 * Group g = store.lastDurable().isPresent() ? Group.open(store)            // failover: the newest checkpoint
 *         : Group.builder("orders").store(store).checkpointEvery(Duration.ofMillis(10)).open();
 * }
 *
 * <h2>One writer</h2>
 * {@link #open} asks the cluster for a new <em>writer term</em> and restores the newest committed checkpoint as of
 * that moment in the log. Every increment carries the term; the replicas refuse increments of an older term. So
 * once a store opened, an older store still running (a primary believed dead) commits nothing more: its
 * {@link CheckpointWriter#commit} throws {@link WriterFencedException}, the store is failed, and its group's
 * barriers fail and its boundaries release nothing (fail closed). There is no split brain: which writer is
 * current is decided by the cluster's replicated log, not by a failure detector of ours.
 *
 * <h2>States</h2>
 * <table class="striped">
 *   <caption>What each operation does in each state</caption>
 *   <tr><th>operation</th><th>open</th><th>failed (fenced, refused, timed out)</th><th>closed</th></tr>
 *   <tr><td>{@link #begin}</td><td>starts a checkpoint</td><td>{@link StoreFailedException}</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>commit of a writer</td><td>returns once the cluster committed it, or fails the store after
 *     {@link ReplicationSettings#commitTimeout()}</td><td>{@link StoreFailedException}</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>{@link #lastDurable}, {@link #checkpoints}, {@link #state}</td><td colspan="2">what this writer
 *     restored and committed (kept in memory)</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>{@link #log}</td><td colspan="2">{@link DurableLogsNotReplicatedException} (an {@link UnsupportedOperationException}): durable logs are not replicated</td><td>{@link IllegalStateException}</td></tr>
 * </table>
 * A commit that timed out may still be committed by the cluster: the store fails rather than guess, and the next
 * writer restores whatever the cluster holds.
 *
 * <h2>Memory</h2>
 * The checkpoints this writer knows are held in a memory store (the restored image, then each increment; the
 * newest 16 retained), so reads never go to the cluster: the primary holds its group's state twice.
 *
 * <p>Thread-safe: one writer at a time, any number of readers.
 */
public final class ReplicatedStore implements Store {
    private final ReplicationSettings settings;
    private final ClusterClient client;
    private final Store mirror;
    private final long term;
    private volatile StoreFailedException failure;
    private volatile boolean closed;

    private ReplicatedStore(ReplicationSettings settings, ClusterClient client, Store mirror, long term) {
        this.settings = settings;
        this.client = client;
        this.mirror = mirror;
        this.term = term;
    }

    /**
     * Connects to the cluster, becomes its one writer (fencing any previous one) and restores the newest committed
     * checkpoint, if any.
     *
     * @throws StoreFailedException if the cluster cannot be reached or does not answer within
     *                              {@link ReplicationSettings#connectTimeout()}
     */
    public static ReplicatedStore open(ReplicationSettings settings) {
        Objects.requireNonNull(settings, "settings");
        ClusterClient client = new ClusterClient(settings);
        Store mirror = Store.memory();
        try {
            ClusterClient.Grant grant = await(client.acquire(), settings.connectTimeout().toNanos(),
                    "becoming the writer of cluster " + settings.clusterName());
            if (grant.image() != null) {
                UnsafeBuffer b = new UnsafeBuffer(grant.image());
                IncrementCodec.Header h = IncrementCodec.header(b, 0, b.capacity());
                try (CheckpointWriter w = mirror.begin(h.checkpointId(), -1, h.label())) {
                    IncrementCodec.apply(b, 0, b.capacity(), w);
                    w.commit();
                }
            }
            return new ReplicatedStore(settings, client, mirror, grant.term());
        } catch (RuntimeException e) {
            client.close();
            mirror.close();
            throw e;
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f, long timeoutNs, String what) {
        try {
            return f.get(timeoutNs, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new StoreFailedException(what + ": no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreFailedException sfe) {
                throw sfe;
            }
            throw new StoreFailedException(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(false);
            throw new StoreFailedException(what + ": interrupted", e);
        }
    }

    /** The writer term the cluster granted this store; a store opened later has a larger one. */
    public long writerTerm() {
        return term;
    }

    @Override
    public String describe() {
        return "replicated store of cluster " + settings.clusterName() + " " + settings.members() + " (writer term " + term + ")";
    }

    @Override
    public Optional<StoredCheckpoint> lastDurable() {
        checkOpen();
        return mirror.lastDurable();
    }

    @Override
    public List<StoredCheckpoint> checkpoints() {
        checkOpen();
        return mirror.checkpoints();
    }

    @Override
    public StoredState state(long checkpointId) {
        checkOpen();
        return mirror.state(checkpointId);
    }

    @Override
    public CheckpointWriter begin(long id, long baseId, String label) {
        checkOpen();
        StoreFailedException f = failure;
        if (f != null) {
            throw new StoreFailedException(describe() + " failed; it accepts no checkpoint " + id, f);
        }
        return new Writer(mirror.begin(id, baseId, label), new IncrementCodec.Encoder(id, baseId, label));
    }

    /**
     * Refuses: durable logs are written outside checkpoints and are not replicated.
     *
     * @throws DurableLogsNotReplicatedException always on an open store (nothing is written; the store stays usable)
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public DurableLog log(String name) {
        checkOpen();
        throw new DurableLogsNotReplicatedException(describe(), name);
    }

    @Override
    public boolean isFailed() {
        return failure != null;
    }

    /** Disconnects from the cluster (the cluster keeps every committed checkpoint) and drops the memory copy. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            client.close();
        } finally {
            mirror.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed");
        }
    }

    private StoreFailedException fail(StoreFailedException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    /** Records the writer's calls into the memory copy and into the increment; commit sends the increment. */
    private final class Writer implements CheckpointWriter {
        private final CheckpointWriter local;
        private final IncrementCodec.Encoder encoder;
        private boolean done;

        Writer(CheckpointWriter local, IncrementCodec.Encoder encoder) {
            this.local = local;
            this.encoder = encoder;
        }

        @Override
        public long id() {
            return local.id();
        }

        @Override
        public void putObject(String id, byte kind, byte[] value) {
            local.putObject(id, kind, value);
            encoder.putObject(id, kind, value);
        }

        @Override
        public void removeObject(String id) {
            local.removeObject(id);
            encoder.removeObject(id);
        }

        @Override
        public void putEntry(String id, byte[] key, byte[] value) {
            local.putEntry(id, key, value);
            encoder.putEntry(id, key, value);
        }

        @Override
        public void removeEntry(String id, byte[] key) {
            local.removeEntry(id, key);
            encoder.removeEntry(id, key);
        }

        @Override
        public void putPage(String id, long index, DirectBuffer src, int offset, int length) {
            local.putPage(id, index, src, offset, length);
            encoder.putPage(id, index, src, offset, length);
        }

        @Override
        public StoredCheckpoint commit() {
            if (done) {
                throw new IllegalStateException("checkpoint " + id() + " of " + describe() + " was already committed or aborted");
            }
            done = true;
            StoreFailedException f = failure;
            if (f != null) {
                local.abort();
                throw new StoreFailedException(describe() + " failed; checkpoint " + id() + " is not committed", f);
            }
            try {
                long timeoutNs = settings.commitTimeout().toNanos();
                java.util.concurrent.CompletableFuture<Long> sent = client.commit(term, id(), encoder.buffer(), encoder.length());
                long start = System.nanoTime();
                client.drive(sent, timeoutNs); // sends and polls on this thread (no hand-off); the agent takes over if it leaves
                await(sent, Math.max(1, timeoutNs - (System.nanoTime() - start)),
                        "committing checkpoint " + id() + " through " + describe());
            } catch (StoreFailedException e) {
                local.abort();
                throw fail(e);
            }
            return local.commit();
        }

        @Override
        public void abort() {
            if (!done) {
                done = true;
                local.abort();
            }
        }

        @Override
        public void close() {
            abort();
        }
    }
}
