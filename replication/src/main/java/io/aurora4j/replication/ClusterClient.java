package io.aurora4j.replication;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.aurora4j.store.StoreFailedException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The primary's connection to the cluster: an embedded media driver of its own (a member's driver would die with
 * the member) and an {@link AeronCluster} session, driven by one agent thread that sends, polls egress and keeps
 * the session alive.
 *
 * <h2>Failover</h2>
 * (Lessons of the project's Aeron spike.) The agent keeps polling egress whatever an offer returns, or it never
 * hears of a new leader; on a new leader or a new session it resends the request in flight from its first chunk
 * (the service acknowledges an increment it already applied without applying it twice); a closed session is
 * reconnected. How long a caller waits is the caller's: it times its future out, and the agent drops a request
 * whose future is done.
 *
 * <p>Thread-safe: {@link #acquire} and {@link #commit} may be called from any thread, at most one of each in
 * flight; the session is used by the agent thread, or by a caller waiting in {@link #drive}, one at a time.
 */
final class ClusterClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterClient.class.getName());
    private static final AtomicLong UNIQUE = new AtomicLong();
    private static final long KEEPALIVE_NS = 500_000_000L;

    /** What the cluster granted: the writer term and the newest checkpoint's image (null if none). */
    record Grant(long term, long lastCheckpointId, byte[] image) {
    }

    private final ReplicationSettings settings;
    private final MediaDriver driver;
    private final ClientAgent agent;
    private final AgentRunner runner;
    /** Held by whichever thread runs the agent's duty cycle: the agent thread or a caller in {@link #drive}. */
    private final ReentrantLock driving = new ReentrantLock();
    private final ThreadLocal<IdleStrategy> callerIdle;
    private volatile boolean closing;

    ClusterClient(ReplicationSettings settings) {
        this.settings = settings;
        this.callerIdle = ThreadLocal.withInitial(settings.idle());
        removeDirectoriesOfDeadClients(settings);
        String dir = settings.clientAeronDirectory(UNIQUE.incrementAndGet()).toString();
        this.driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(settings.idle().get())
                .termBufferSparseFile(true)
                .publicationTermBufferLength(settings.termLength())
                .ipcTermBufferLength(settings.termLength())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        try {
            this.agent = new ClientAgent(driver.aeronDirectoryName());
            agent.connect();
        } catch (RuntimeException e) {
            CloseHelper.quietClose(driver);
            throw e;
        }
        this.runner = new AgentRunner(settings.idle().get(), e -> LOG.log(System.Logger.Level.WARNING,
                "cluster client of " + settings.clusterName() + ": " + e, e), null, agent);
        AgentRunner.startOnThread(runner);
    }

    /**
     * A primary killed with {@code kill -9} leaves its client's Aeron directory behind (only a clean close removes
     * it), and nothing else would ever remove it: the next client of the same cluster on this machine removes the
     * directories of clients whose process is gone.
     */
    static void removeDirectoriesOfDeadClients(ReplicationSettings settings) {
        String prefix = "aurora4j-" + settings.clusterName() + "-client-";
        try (java.nio.file.DirectoryStream<java.nio.file.Path> ds = java.nio.file.Files.newDirectoryStream(
                settings.aeronDirectoryRoot(), prefix + "*")) {
            for (java.nio.file.Path dir : ds) {
                String rest = dir.getFileName().toString().substring(prefix.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue; // not one of ours
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    org.agrona.IoUtil.delete(dir.toFile(), true);
                    LOG.log(System.Logger.Level.INFO, "removed " + dir + ", left by a client process that is gone");
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not look for directories of dead clients in "
                    + settings.aeronDirectoryRoot() + ": " + e);
        }
    }

    /** Asks to become the writer; completes with the grant and the newest image. */
    CompletableFuture<Grant> acquire() {
        Acquire a = new Acquire(ThreadLocalRandom.current().nextLong());
        agent.requests.add(a);
        wakeAgent();
        return a.future;
    }

    /**
     * Commits {@code length} bytes of an encoded increment (kept unchanged by the caller until the future is done);
     * completes with the checkpoint id once the cluster committed and applied it, or exceptionally with
     * {@link WriterFencedException} or {@link StoreFailedException} (refused).
     */
    CompletableFuture<Long> commit(long term, long checkpointId, DirectBuffer bytes, int length) {
        Commit c = new Commit(term, checkpointId, bytes, length);
        agent.requests.add(c); // the caller sends it in drive; the agent thread does if no one drives
        return c.future;
    }

    /**
     * Unparks the agent thread: when idle it backs off to a 1 ms park, and a request would otherwise wait for that
     * park to end.
     */
    private void wakeAgent() {
        Thread t = runner.thread();
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /**
     * Runs the agent's duty cycle on the calling thread until {@code f} is done, {@code timeoutNs} passed, the
     * client is closing or the thread is interrupted; the agent thread only works while no caller does. A commit
     * handed to the agent thread and answered through a future costs two thread wake-ups, which on a loaded
     * machine were a large part of a small commit's latency (RP1; a bare Aeron client sends and polls on the
     * caller's thread too). Whoever holds {@link #driving} is the one thread using the session.
     */
    void drive(CompletableFuture<?> f, long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        IdleStrategy idle = callerIdle.get();
        idle.reset();
        while (!f.isDone() && !closing && !Thread.currentThread().isInterrupted() && System.nanoTime() - deadline < 0) {
            int work = 0;
            if (driving.tryLock()) {
                try {
                    work = agent.duty();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cluster client of " + settings.clusterName() + ": " + e, e);
                } finally {
                    driving.unlock();
                }
            }
            idle.idle(work);
        }
    }

    /** Stops the agent, the session and the driver (removing its directory). */
    @Override
    public void close() {
        closing = true;
        CloseHelper.closeAll(runner, driver);
    }

    private static final class Acquire {
        final long correlationId;
        final CompletableFuture<Grant> future = new CompletableFuture<>();
        boolean sent;
        long term;
        long lastId;
        int chunks = -1;
        int next;
        final ExpandableArrayBuffer image = new ExpandableArrayBuffer(0);
        int length;

        Acquire(long correlationId) {
            this.correlationId = correlationId;
        }

        void restart() {
            sent = false;
            chunks = -1;
            next = 0;
            length = 0;
        }
    }

    private static final class Commit {
        final long term;
        final long id;
        final DirectBuffer bytes;
        final int length;
        final CompletableFuture<Long> future = new CompletableFuture<>();
        int nextChunk;

        Commit(long term, long id, DirectBuffer bytes, int length) {
            this.term = term;
            this.id = id;
            this.bytes = bytes;
            this.length = length;
        }
    }

    private final class ClientAgent implements Agent, EgressListener {
        final ConcurrentLinkedQueue<Object> requests = new ConcurrentLinkedQueue<>();
        private final String aeronDir;
        private AeronCluster cluster;
        private UnsafeBuffer send;
        private int maxChunkPayload;
        private Acquire acquire;
        private Commit commit;
        private long lastSentNs;

        ClientAgent(String aeronDir) {
            this.aeronDir = aeronDir;
        }

        /** Connects (blocking, until the connect timeout); on the agent thread after the first time. */
        void connect() {
            CloseHelper.quietClose(cluster);
            cluster = null;
            long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
            RuntimeException last = null;
            while (System.nanoTime() < deadline) {
                try {
                    String host = settings.clientHost();
                    cluster = AeronCluster.connect(new AeronCluster.Context()
                            .aeronDirectoryName(aeronDir)
                            .ingressChannel("aeron:udp?term-length=" + settings.termLength())
                            .ingressEndpoints(settings.ingressEndpoints())
                            .egressChannel("aeron:udp?endpoint=" + host + ":0|term-length=" + settings.termLength())
                            .messageTimeoutNs(Math.min(5_000_000_000L, settings.connectTimeout().toNanos()))
                            .idleStrategy(settings.idle().get())
                            .egressListener(this));
                    int max = cluster.ingressPublication().maxMessageLength();
                    maxChunkPayload = max - AeronCluster.SESSION_HEADER_LENGTH - Protocol.CHUNK_HEADER_LENGTH;
                    if (send == null || send.capacity() < max) {
                        send = new UnsafeBuffer(ByteBuffer.allocateDirect(max));
                    }
                    lastSentNs = System.nanoTime();
                    return;
                } catch (RuntimeException e) {
                    last = e;
                    LOG.log(System.Logger.Level.DEBUG, "connect to " + settings.ingressEndpoints() + " failed, retrying: " + e);
                }
            }
            throw new StoreFailedException("could not connect to the replica cluster " + settings.clusterName() + " at "
                    + settings.ingressEndpoints() + " within " + settings.connectTimeout(), last);
        }

        @Override
        public int doWork() {
            if (!driving.tryLock()) {
                return 0; // a caller is driving (see drive)
            }
            try {
                return duty();
            } finally {
                driving.unlock();
            }
        }

        /** One duty cycle; only by the holder of {@link #driving}. */
        int duty() {
            int work = 0;
            for (Object r; (r = requests.poll()) != null; work++) {
                if (r instanceof Acquire a) {
                    acquire = a;
                } else {
                    commit = (Commit) r;
                }
            }
            if (acquire != null && acquire.future.isDone()) {
                acquire = null;
            }
            if (commit != null && commit.future.isDone()) {
                commit = null;
            }
            if (cluster == null || cluster.isClosed()) {
                try {
                    connect();
                } catch (RuntimeException e) {
                    return work; // the callers time out; try again on the next duty cycle
                }
                restartAll();
                work++;
            }
            work += sendSome();
            long now = System.nanoTime();
            if (now - lastSentNs > KEEPALIVE_NS && cluster.sendKeepAlive()) {
                lastSentNs = now;
            }
            work += cluster.pollEgress();
            return work;
        }

        private void restartAll() {
            if (acquire != null) {
                acquire.restart();
            }
            if (commit != null) {
                commit.nextChunk = 0;
            }
        }

        private int sendSome() {
            int work = 0;
            if (acquire != null && !acquire.sent) {
                send.putInt(Protocol.TYPE_OFFSET, Protocol.ACQUIRE, Protocol.ORDER);
                send.putInt(Protocol.INDEX_OFFSET, 0, Protocol.ORDER);
                send.putLong(Protocol.ACQUIRE_CORRELATION_OFFSET, acquire.correlationId, Protocol.ORDER);
                if (!offer(Protocol.ACQUIRE_LENGTH)) {
                    return work;
                }
                acquire.sent = true;
                work++;
            }
            Commit c = commit;
            if (c == null) {
                return work;
            }
            int count = Protocol.chunkCount(c.length, maxChunkPayload);
            while (c.nextChunk < count) {
                int at = c.nextChunk * maxChunkPayload;
                int n = Math.min(maxChunkPayload, c.length - at);
                send.putInt(Protocol.TYPE_OFFSET, Protocol.CHUNK, Protocol.ORDER);
                send.putInt(Protocol.INDEX_OFFSET, c.nextChunk, Protocol.ORDER);
                send.putLong(Protocol.CHUNK_TERM_OFFSET, c.term, Protocol.ORDER);
                send.putLong(Protocol.CHUNK_ID_OFFSET, c.id, Protocol.ORDER);
                send.putInt(Protocol.CHUNK_COUNT_OFFSET, count, Protocol.ORDER);
                send.putInt(Protocol.CHUNK_TOTAL_OFFSET, c.length, Protocol.ORDER);
                send.putBytes(Protocol.CHUNK_HEADER_LENGTH, c.bytes, at, n);
                if (!offer(Protocol.CHUNK_HEADER_LENGTH + n)) {
                    return work; // back-pressure or no leader: poll egress, go on at the next duty cycle
                }
                c.nextChunk++;
                work++;
            }
            return work;
        }

        private boolean offer(int length) {
            if (cluster.offer(send, 0, length) > 0) {
                lastSentNs = System.nanoTime();
                return true;
            }
            return false;
        }

        @Override
        public void onMessage(long clusterSessionId, long timestamp, DirectBuffer buffer, int offset, int length,
                              Header header) {
            if (length < 8) {
                return;
            }
            int type = buffer.getInt(offset + Protocol.TYPE_OFFSET, Protocol.ORDER);
            switch (type) {
                case Protocol.GRANTED -> onGranted(buffer, offset, length);
                case Protocol.IMAGE -> onImage(buffer, offset, length);
                case Protocol.ACK, Protocol.FENCED, Protocol.REJECTED -> onOutcome(type, buffer, offset, length);
                default -> LOG.log(System.Logger.Level.WARNING, "ignored an egress message of type " + type);
            }
        }

        private void onGranted(DirectBuffer b, int offset, int length) {
            Acquire a = acquire;
            if (a == null || length < Protocol.GRANTED_LENGTH
                    || b.getLong(offset + Protocol.GRANTED_CORRELATION_OFFSET, Protocol.ORDER) != a.correlationId) {
                return;
            }
            a.term = b.getLong(offset + Protocol.GRANTED_TERM_OFFSET, Protocol.ORDER);
            a.lastId = b.getLong(offset + Protocol.GRANTED_LAST_ID_OFFSET, Protocol.ORDER);
            a.chunks = b.getInt(offset + Protocol.INDEX_OFFSET, Protocol.ORDER);
            a.next = 0;
            a.length = 0;
            if (a.chunks == 0) {
                a.future.complete(new Grant(a.term, a.lastId, null));
            }
        }

        private void onImage(DirectBuffer b, int offset, int length) {
            Acquire a = acquire;
            if (a == null || a.chunks <= 0 || length < Protocol.IMAGE_HEADER_LENGTH
                    || b.getLong(offset + Protocol.IMAGE_CORRELATION_OFFSET, Protocol.ORDER) != a.correlationId) {
                return;
            }
            int index = b.getInt(offset + Protocol.INDEX_OFFSET, Protocol.ORDER);
            int total = b.getInt(offset + Protocol.IMAGE_TOTAL_OFFSET, Protocol.ORDER);
            int n = length - Protocol.IMAGE_HEADER_LENGTH;
            if (index != a.next || (long) a.length + n > total) {
                a.restart(); // a gap: the leader changed mid-transfer; ask again
                return;
            }
            // grows by the bytes that arrived, never by what a header claims
            a.image.putBytes(a.length, b, offset + Protocol.IMAGE_HEADER_LENGTH, n);
            a.length += n;
            if (++a.next == a.chunks) {
                if (a.length != total) {
                    a.restart();
                    return;
                }
                byte[] image = new byte[a.length];
                a.image.getBytes(0, image);
                a.future.complete(new Grant(a.term, a.lastId, image));
            }
        }

        private void onOutcome(int type, DirectBuffer b, int offset, int length) {
            Commit c = commit;
            if (c == null || length < Protocol.OUTCOME_LENGTH
                    || b.getLong(offset + Protocol.OUTCOME_ID_OFFSET, Protocol.ORDER) != c.id) {
                return;
            }
            long term = b.getLong(offset + Protocol.OUTCOME_TERM_OFFSET, Protocol.ORDER);
            switch (type) {
                case Protocol.ACK -> c.future.complete(c.id);
                case Protocol.FENCED -> c.future.completeExceptionally(new WriterFencedException(
                        "checkpoint " + c.id + " of writer term " + c.term + " was refused by cluster "
                                + settings.clusterName() + ": writer term " + term + " has taken over"));
                default -> {
                    String reason = new String(bytes(b, offset + Protocol.OUTCOME_LENGTH, length - Protocol.OUTCOME_LENGTH),
                            StandardCharsets.UTF_8);
                    c.future.completeExceptionally(new StoreFailedException("checkpoint " + c.id + " was refused by cluster "
                            + settings.clusterName() + ": " + reason, null));
                }
            }
            commit = null;
        }

        private static byte[] bytes(DirectBuffer b, int offset, int length) {
            byte[] out = new byte[Math.max(0, length)];
            b.getBytes(offset, out);
            return out;
        }

        @Override
        public void onSessionEvent(long correlationId, long clusterSessionId, long leadershipTermId, int leaderMemberId,
                                   EventCode code, String detail) {
            LOG.log(System.Logger.Level.DEBUG, "session event " + code + " leader " + leaderMemberId + ": " + detail);
        }

        @Override
        public void onNewLeader(long clusterSessionId, long leadershipTermId, int leaderMemberId, String ingressEndpoints) {
            LOG.log(System.Logger.Level.INFO, "cluster " + settings.clusterName() + ": new leader " + leaderMemberId
                    + " (leadership term " + leadershipTermId + "); resending what is in flight");
            restartAll();
        }

        @Override
        public void onClose() {
            driving.lock(); // a caller in drive leaves at its next duty cycle: closing is set
            try {
                closeSession();
            } finally {
                driving.unlock();
            }
        }

        private void closeSession() {
            CloseHelper.quietClose(cluster);
            StoreFailedException closed = new StoreFailedException("the client of cluster " + settings.clusterName()
                    + " was closed", null);
            if (acquire != null) {
                acquire.future.completeExceptionally(closed);
            }
            if (commit != null) {
                commit.future.completeExceptionally(closed);
            }
            for (Object r; (r = requests.poll()) != null; ) {
                (r instanceof Acquire a ? a.future : ((Commit) r).future).completeExceptionally(closed);
            }
        }

        @Override
        public String roleName() {
            return "aurora4j-cluster-client-" + settings.clusterName();
        }
    }
}
