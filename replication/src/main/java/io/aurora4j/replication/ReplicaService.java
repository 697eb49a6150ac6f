package io.aurora4j.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The replicated state machine of a replica node: it applies each committed checkpoint increment to the node's
 * own store and decides who the writer is.
 *
 * <h2>Replicated state</h2>
 * The writer term, the id of the newest applied checkpoint, the local store's newest checkpoint, and the bytes of
 * an increment whose chunks are still arriving. Every member sees the same committed log, so every member's
 * service makes the same decisions; only the leader's replies reach the client (a follower's
 * {@link ClientSession#offer} is a no-op), and replies are not part of the state.
 *
 * <h2>Fencing</h2>
 * ACQUIRE bumps the term: from that log position on, chunks of any older term are refused (FENCED) and the
 * partly received increment, if any, is dropped. The new writer gets the image of the newest checkpoint as of
 * that same position, so nothing the old writer had committed is missing from what it restores, and nothing
 * the old writer sends afterwards is ever applied.
 *
 * <h2>Idempotence</h2>
 * A client resends a whole increment when it cannot know whether it was committed (a new leader, a new
 * session). An increment whose id is not above the newest applied one is acknowledged again, not re-applied;
 * chunks out of order (a resend starting over while the first attempt's tail is still in the log) reset or drop
 * the partial increment, and the resend completes it.
 *
 * <h2>Snapshots</h2>
 * A snapshot holds the term, the newest applied id, the partial increment and the full image of the store's
 * newest checkpoint, so that a member whose store directory is behind (or empty) catches up from the snapshot
 * and the log after it. The leader asks for one after {@link ReplicationSettings#snapshotEveryBytes()} bytes.
 *
 * <h2>Log purge</h2>
 * The purge floor is replicated state: it only rises, and only through a PURGE service message the leader's
 * service appended to the log (a client's PURGE is ignored), so every member agrees on it at the same log
 * position. The leader proposes it ({@link #proposeFloor}) from the positions every member acknowledged; each
 * member's {@link LogPurger} then deletes its own log below the lower of the floor and its own second-newest
 * snapshot (see there). The floor is not in the snapshot: a restarted member purges nothing until the next
 * PURGE, which is the safe side.
 *
 * <p>Single-threaded: every callback runs on the service container's agent thread; the volatile fields are
 * views for monitoring and tests.
 */
final class ReplicaService implements ClusteredService {
    private static final System.Logger LOG = System.getLogger(ReplicaService.class.getName());
    /** How long a reply or a snapshot write may be back-pressured before it is given up. */
    private static final long OFFER_TIMEOUT_NS = 10_000_000_000L;
    /** Checkpoints between two PURGE messages (see {@link #offerPurge}). */
    static final long PURGE_EVERY = 16;

    private final Store store;
    private final ReplicationSettings settings;
    private final int memberId;
    private final Consumer<Throwable> fatal;
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);

    private Cluster cluster;
    private IdleStrategy idle;

    // ---- replicated state
    private long writerTerm;
    private long lastAppliedId = -1;
    private long pendingId = -1;
    private int pendingNext;
    private int pendingCount;
    private int pendingTotal;
    private final ExpandableArrayBuffer pending = new ExpandableArrayBuffer(0);
    private int pendingLength;
    private long purgeFloor;
    /** The newest increment id committed in the log so far (the store may be ahead of it while a member replays). */
    private long logAppliedId = -1;

    // ---- local, not replicated
    private long bytesSinceSnapshot;
    private long snapshotRequestedAtNs;
    private volatile long viewLastApplied = -1;
    private volatile long viewTerm;
    private volatile long snapshotsTaken;
    private volatile long snapshotsLoaded;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long viewPurgeFloor;
    /** Newest snapshot position this service took or loaded; the one before it (-1: none). */
    private long newestSnapshotPosition = -1;
    private volatile long safeSnapshotPosition = -1;
    private volatile long proposedFloor;
    private final ExpandableArrayBuffer purgeOut = new ExpandableArrayBuffer(Protocol.PURGE_LENGTH);

    ReplicaService(Store store, ReplicationSettings settings, int memberId, Consumer<Throwable> fatal) {
        this.store = store;
        this.settings = settings;
        this.memberId = memberId;
        this.fatal = fatal;
    }

    @Override
    public void onStart(Cluster cluster, Image snapshotImage) {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        lastAppliedId = store.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
        if (snapshotImage != null) {
            new SnapshotLoader(snapshotImage).load();
            snapshotsLoaded++;
            // the snapshot a member starts from is complete in its recording log: its own replay starts there
            newestSnapshotPosition = cluster.logPosition();
            safeSnapshotPosition = newestSnapshotPosition;
        }
        publishViews();
    }

    @Override
    public void onSessionOpen(ClientSession session, long timestamp) {
    }

    @Override
    public void onSessionClose(ClientSession session, long timestamp, CloseReason closeReason) {
    }

    @Override
    public void onSessionMessage(ClientSession session, long timestamp, DirectBuffer buffer, int offset, int length,
                                 Header header) {
        if (length < 8) {
            LOG.log(System.Logger.Level.WARNING, "member " + memberId + ": ignored a message of " + length + " bytes");
            return;
        }
        int type = buffer.getInt(offset + Protocol.TYPE_OFFSET, Protocol.ORDER);
        switch (type) {
            case Protocol.ACQUIRE -> {
                if (length < Protocol.ACQUIRE_LENGTH) {
                    return;
                }
                long correlationId = buffer.getLong(offset + Protocol.ACQUIRE_CORRELATION_OFFSET, Protocol.ORDER);
                writerTerm++;
                dropPending();
                publishViews();
                if (cluster.role() == Cluster.Role.LEADER) {
                    sendGrant(session, correlationId);
                }
            }
            case Protocol.PURGE -> {
                if (session != null || length < Protocol.PURGE_LENGTH) {
                    // only the leader's service appends PURGE; a client sending one could make members drop log
                    LOG.log(System.Logger.Level.WARNING, "member " + memberId + ": ignored a PURGE from session "
                            + (session == null ? "-" : session.id()));
                    return;
                }
                long floor = buffer.getLong(offset + Protocol.PURGE_FLOOR_OFFSET, Protocol.ORDER);
                if (floor > purgeFloor) {
                    purgeFloor = floor;
                    viewPurgeFloor = floor;
                }
            }
            case Protocol.CHUNK -> {
                if (length >= Protocol.CHUNK_HEADER_LENGTH) {
                    onChunk(session, buffer, offset, length);
                }
            }
            default -> LOG.log(System.Logger.Level.WARNING, "member " + memberId + ": ignored a message of type " + type);
        }
    }

    private void onChunk(ClientSession session, DirectBuffer buffer, int offset, int length) {
        int index = buffer.getInt(offset + Protocol.INDEX_OFFSET, Protocol.ORDER);
        long term = buffer.getLong(offset + Protocol.CHUNK_TERM_OFFSET, Protocol.ORDER);
        long id = buffer.getLong(offset + Protocol.CHUNK_ID_OFFSET, Protocol.ORDER);
        int count = buffer.getInt(offset + Protocol.CHUNK_COUNT_OFFSET, Protocol.ORDER);
        int total = buffer.getInt(offset + Protocol.CHUNK_TOTAL_OFFSET, Protocol.ORDER);
        boolean last = index == count - 1;
        if (term != writerTerm) {
            if (last) {
                reply(session, Protocol.FENCED, writerTerm, id, null);
            }
            return;
        }
        if (id <= lastAppliedId) {
            if (last) {
                reply(session, Protocol.ACK, term, id, null); // a resend of a committed increment
                inLog(id); // or one this member's store already held while it replays its log
            }
            return;
        }
        int payload = length - Protocol.CHUNK_HEADER_LENGTH;
        if (index == 0) {
            pendingId = id;
            pendingNext = 0;
            pendingCount = count;
            pendingTotal = total;
            pendingLength = 0;
        }
        if (id != pendingId || index != pendingNext || count != pendingCount || total != pendingTotal || count < 1
                || total < 0 || (long) pendingLength + payload > total) {
            return; // the tail of an attempt that a resend started over: the resend completes the increment
        }
        pending.putBytes(pendingLength, buffer, offset + Protocol.CHUNK_HEADER_LENGTH, payload);
        pendingLength += payload;
        pendingNext++;
        if (pendingNext < pendingCount) {
            return;
        }
        if (pendingLength != pendingTotal) {
            dropPending();
            reply(session, Protocol.REJECTED, term, id, "its chunks hold " + pendingLength + " bytes, not " + total);
            return;
        }
        CheckpointWriter w = stagePending(id);
        if (w == null) {
            reply(session, Protocol.REJECTED, term, id, refused);
            refused = null;
            dropPending();
            publishViews();
            return;
        }
        dropPending();
        bytesSinceSnapshot += total;
        // The increment is committed (a majority has it in its log) and its bytes were accepted by the store's
        // writer: answer now, then force it to this member's own store. The store is a copy derived from the log
        // (a member that stops before the force completes replays it from its snapshot plus its log), so its
        // fsync need not sit on the primary's commit path (RP1: it was most of the gap to a bare cluster). This
        // thread does nothing else until the commit returns, so snapshots and grants still see it applied.
        reply(session, Protocol.ACK, term, id, null);
        commitStaged(w, id);
        inLog(id);
        publishViews();
    }

    /** Why {@link #stagePending} refused the increment (set when it returns null). */
    private String refused;

    /**
     * Writes the pending increment into a writer of the store without committing it; returns the writer, or null
     * with {@link #refused} set if the bytes or the store refused it (the same on every member: the same bytes
     * against the same store history).
     */
    private CheckpointWriter stagePending(long id) {
        IncrementCodec.Header h;
        try {
            h = IncrementCodec.header(pending, 0, pendingLength);
        } catch (IllegalArgumentException e) {
            refused = e.getMessage();
            return null;
        }
        if (h.checkpointId() != id) {
            refused = "its bytes are of checkpoint " + h.checkpointId();
            return null;
        }
        CheckpointWriter w;
        try {
            w = store.begin(h.checkpointId(), h.baseId(), h.label());
        } catch (IllegalArgumentException e) {
            refused = "member " + memberId + " store " + store.describe() + ": " + e.getMessage();
            return null;
        } catch (RuntimeException e) {
            fatal.accept(e);
            throw e;
        }
        try {
            IncrementCodec.apply(pending, 0, pendingLength, w);
            return w;
        } catch (IllegalArgumentException e) {
            w.abort();
            w.close();
            refused = e.getMessage();
            return null;
        } catch (RuntimeException e) {
            w.close();
            // the local store failed: this member can no longer keep what the cluster commits; it stops (fail-stop)
            fatal.accept(e);
            throw e;
        }
    }

    /** Commits (forces) a writer {@link #stagePending} returned; a failure stops the member (fail-stop). */
    private void commitStaged(CheckpointWriter w, long id) {
        try (w) {
            w.commit();
        } catch (RuntimeException e) {
            fatal.accept(e);
            throw e;
        }
        lastAppliedId = id;
    }

    private void dropPending() {
        pendingId = -1;
        pendingNext = 0;
        pendingCount = 0;
        pendingTotal = 0;
        pendingLength = 0;
    }

    private void reply(ClientSession session, int type, long term, long id, String reason) {
        if (session == null || cluster.role() != Cluster.Role.LEADER) {
            return;
        }
        out.putInt(Protocol.TYPE_OFFSET, type, Protocol.ORDER);
        out.putInt(Protocol.INDEX_OFFSET, 0, Protocol.ORDER);
        out.putLong(Protocol.OUTCOME_TERM_OFFSET, term, Protocol.ORDER);
        out.putLong(Protocol.OUTCOME_ID_OFFSET, id, Protocol.ORDER);
        int len = Protocol.OUTCOME_LENGTH;
        if (reason != null) {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(r.length, 1024);
            out.putBytes(len, r, 0, n);
            len += n;
        }
        offer(session, out, len);
    }

    private void sendGrant(ClientSession session, long correlationId) {
        Optional<StoredCheckpoint> last = store.lastDurable();
        IncrementCodec.Encoder image = last.isPresent() ? IncrementCodec.encodeFull(store.state(last.get().id())) : null;
        int maxPayload = maxEgressPayload();
        int chunks = image == null ? 0 : Protocol.chunkCount(image.length(), maxPayload);
        out.putInt(Protocol.TYPE_OFFSET, Protocol.GRANTED, Protocol.ORDER);
        out.putInt(Protocol.INDEX_OFFSET, chunks, Protocol.ORDER);
        out.putLong(Protocol.GRANTED_CORRELATION_OFFSET, correlationId, Protocol.ORDER);
        out.putLong(Protocol.GRANTED_TERM_OFFSET, writerTerm, Protocol.ORDER);
        out.putLong(Protocol.GRANTED_LAST_ID_OFFSET, last.map(StoredCheckpoint::id).orElse(-1L), Protocol.ORDER);
        if (!offer(session, out, Protocol.GRANTED_LENGTH) || image == null) {
            return;
        }
        sendChunks(Protocol.IMAGE, correlationId, image.buffer(), image.length(), maxPayload,
                (buf, len) -> offer(session, buf, len));
    }

    /** Writes {@code total} bytes as chunks of the IMAGE layout; stops at the first failed offer. */
    private boolean sendChunks(int type, long correlationId, DirectBuffer src, int total, int maxPayload, Offer offer) {
        int chunks = Protocol.chunkCount(total, maxPayload);
        for (int i = 0, at = 0; i < chunks; i++) {
            int n = Math.min(maxPayload, total - at);
            out.putInt(Protocol.TYPE_OFFSET, type, Protocol.ORDER);
            out.putInt(Protocol.INDEX_OFFSET, i, Protocol.ORDER);
            out.putLong(Protocol.IMAGE_CORRELATION_OFFSET, correlationId, Protocol.ORDER);
            out.putInt(Protocol.IMAGE_COUNT_OFFSET, chunks, Protocol.ORDER);
            out.putInt(Protocol.IMAGE_TOTAL_OFFSET, total, Protocol.ORDER);
            out.putBytes(Protocol.IMAGE_HEADER_LENGTH, src, at, n);
            if (!offer.offer(out, Protocol.IMAGE_HEADER_LENGTH + n)) {
                return false;
            }
            at += n;
        }
        return true;
    }

    @FunctionalInterface
    private interface Offer {
        boolean offer(MutableDirectBuffer buffer, int length);
    }

    /** The egress payload left after the session header and ours (the client's egress term decides the maximum). */
    private int maxEgressPayload() {
        return Math.min(settings.termLength() / 8, 16 * 1024 * 1024) - 64 - Protocol.IMAGE_HEADER_LENGTH;
    }

    private boolean offer(ClientSession session, DirectBuffer buffer, int length) {
        long deadline = System.nanoTime() + OFFER_TIMEOUT_NS;
        idle.reset();
        while (session.offer(buffer, 0, length) < 0) {
            if (System.nanoTime() > deadline) {
                LOG.log(System.Logger.Level.WARNING, "member " + memberId + ": a reply to session " + session.id()
                        + " was back-pressured for 10 s and dropped (the client times out and asks again)");
                return false;
            }
            idle.idle();
        }
        return true;
    }

    // ================================================================== snapshots

    @Override
    public void onTakeSnapshot(ExclusivePublication publication) {
        long position = cluster.logPosition();
        out.putInt(Protocol.TYPE_OFFSET, Protocol.SNAPSHOT_HEADER, Protocol.ORDER);
        out.putInt(Protocol.INDEX_OFFSET, Protocol.SNAPSHOT_VERSION, Protocol.ORDER);
        out.putLong(Protocol.SNAP_TERM_OFFSET, writerTerm, Protocol.ORDER);
        out.putLong(Protocol.SNAP_LAST_APPLIED_OFFSET, lastAppliedId, Protocol.ORDER);
        out.putLong(Protocol.SNAP_PENDING_ID_OFFSET, pendingId, Protocol.ORDER);
        out.putInt(Protocol.SNAP_PENDING_NEXT_OFFSET, pendingNext, Protocol.ORDER);
        out.putInt(Protocol.SNAP_PENDING_COUNT_OFFSET, pendingCount, Protocol.ORDER);
        out.putInt(Protocol.SNAP_PENDING_TOTAL_OFFSET, pendingTotal, Protocol.ORDER);
        snapshotOffer(publication, out, Protocol.SNAP_HEADER_LENGTH);
        int maxPayload = publication.maxMessageLength() - Protocol.IMAGE_HEADER_LENGTH;
        if (pendingLength > 0) {
            sendChunks(Protocol.PENDING, 0, pending, pendingLength, maxPayload, (b, len) -> snapshotOffer(publication, b, len));
        }
        Optional<StoredCheckpoint> last = store.lastDurable();
        if (last.isPresent()) {
            IncrementCodec.Encoder image = IncrementCodec.encodeFull(store.state(last.get().id()));
            sendChunks(Protocol.IMAGE, 0, image.buffer(), image.length(), maxPayload, (b, len) -> snapshotOffer(publication, b, len));
        }
        out.putInt(Protocol.TYPE_OFFSET, Protocol.SNAPSHOT_END, Protocol.ORDER);
        out.putInt(Protocol.INDEX_OFFSET, 0, Protocol.ORDER);
        snapshotOffer(publication, out, Protocol.SNAP_END_LENGTH);
        bytesSinceSnapshot = 0;
        // this snapshot is recorded in the recording log only after the consensus module saw every service's ack;
        // the previous one was recorded before this one was asked for: only that one may bound a purge
        if (newestSnapshotPosition >= 0) {
            safeSnapshotPosition = newestSnapshotPosition;
        }
        newestSnapshotPosition = position;
        snapshotsTaken++;
    }

    private boolean snapshotOffer(ExclusivePublication publication, DirectBuffer buffer, int length) {
        long deadline = System.nanoTime() + OFFER_TIMEOUT_NS;
        idle.reset();
        while (publication.offer(buffer, 0, length) < 0) {
            if (System.nanoTime() > deadline) {
                // a snapshot missing a part must not be recorded as complete: fail the snapshot
                throw new IllegalStateException("member " + memberId + ": snapshot write back-pressured for 10 s");
            }
            idle.idle();
        }
        return true;
    }

    /** Reads a snapshot written by {@link #onTakeSnapshot}; restores the store from its image if the store is behind. */
    private final class SnapshotLoader {
        private final Image image;
        private boolean ended;
        private boolean sawHeader;
        private final ExpandableArrayBuffer imageBytes = new ExpandableArrayBuffer(0);
        private int imageLength;
        /** Snapshot messages longer than the MTU arrive in fragments: they are read whole, reassembled. */
        private final ImageFragmentAssembler assembler = new ImageFragmentAssembler(this::onFragment);

        SnapshotLoader(Image image) {
            this.image = image;
        }

        void load() {
            long deadline = System.nanoTime() + 10 * OFFER_TIMEOUT_NS;
            idle.reset();
            while (!ended) {
                int fragments = image.poll(assembler, 16);
                if (fragments == 0) {
                    if (image.isEndOfStream() || image.isClosed()) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("member " + memberId + ": loading the snapshot took over 100 s");
                    }
                    idle.idle();
                }
            }
            if (!ended || !sawHeader) {
                throw new IllegalStateException("member " + memberId + ": the snapshot ended before its end marker");
            }
            if (imageLength > 0) {
                IncrementCodec.Header h = IncrementCodec.header(imageBytes, 0, imageLength);
                long have = store.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
                if (have < h.checkpointId()) {
                    // the store is behind the snapshot (a lost or new directory): restore the image as a full checkpoint
                    try (CheckpointWriter w = store.begin(h.checkpointId(), -1, h.label())) {
                        IncrementCodec.apply(imageBytes, 0, imageLength, w);
                        w.commit();
                    }
                    LOG.log(System.Logger.Level.INFO, "member " + memberId + ": restored checkpoint " + h.checkpointId()
                            + " from the snapshot (store had " + have + ")");
                }
            }
            // a store ahead of the snapshot already holds what the log after it re-delivers: those are skipped by id
            lastAppliedId = Math.max(lastAppliedId, store.lastDurable().map(StoredCheckpoint::id).orElse(-1L));
        }

        private void onFragment(DirectBuffer b, int offset, int length, Header header) {
            int type = b.getInt(offset + Protocol.TYPE_OFFSET, Protocol.ORDER);
            switch (type) {
                case Protocol.SNAPSHOT_HEADER -> {
                    int version = b.getInt(offset + Protocol.INDEX_OFFSET, Protocol.ORDER);
                    if (version != Protocol.SNAPSHOT_VERSION) {
                        throw new IllegalStateException("member " + memberId + ": snapshot version " + version
                                + " is not " + Protocol.SNAPSHOT_VERSION);
                    }
                    sawHeader = true;
                    writerTerm = b.getLong(offset + Protocol.SNAP_TERM_OFFSET, Protocol.ORDER);
                    lastAppliedId = b.getLong(offset + Protocol.SNAP_LAST_APPLIED_OFFSET, Protocol.ORDER);
                    logAppliedId = lastAppliedId;
                    pendingId = b.getLong(offset + Protocol.SNAP_PENDING_ID_OFFSET, Protocol.ORDER);
                    pendingNext = b.getInt(offset + Protocol.SNAP_PENDING_NEXT_OFFSET, Protocol.ORDER);
                    pendingCount = b.getInt(offset + Protocol.SNAP_PENDING_COUNT_OFFSET, Protocol.ORDER);
                    pendingTotal = b.getInt(offset + Protocol.SNAP_PENDING_TOTAL_OFFSET, Protocol.ORDER);
                    pendingLength = 0;
                }
                case Protocol.PENDING -> {
                    int n = length - Protocol.IMAGE_HEADER_LENGTH;
                    pending.putBytes(pendingLength, b, offset + Protocol.IMAGE_HEADER_LENGTH, n);
                    pendingLength += n;
                }
                case Protocol.IMAGE -> {
                    int n = length - Protocol.IMAGE_HEADER_LENGTH;
                    imageBytes.putBytes(imageLength, b, offset + Protocol.IMAGE_HEADER_LENGTH, n);
                    imageLength += n;
                }
                case Protocol.SNAPSHOT_END -> ended = true;
                default -> throw new IllegalStateException("member " + memberId + ": unknown snapshot message type " + type);
            }
        }
    }

    // ================================================================== the rest of the service

    @Override
    public void onTimerEvent(long correlationId, long timestamp) {
    }

    @Override
    public void onRoleChange(Cluster.Role newRole) {
        role = newRole;
    }

    @Override
    public void onTerminate(Cluster cluster) {
    }

    @Override
    public int doBackgroundWork(long nowNs) {
        return requestSnapshotIfDue(nowNs);
    }

    /**
     * Every member, after an increment of the log whose id crosses a multiple of {@link #PURGE_EVERY}: offers a PURGE
     * service message. Aeron wants service messages offered deterministically by every member's service (a
     * follower's consensus module holds its copy until the leader's is in the log, and appends it should it
     * become the leader first), and allows them only from a log callback, not from background work. Only the
     * leader's copy carries a floor its purger measured; a follower's carries the agreed floor, so appending it
     * changes nothing. Without increments the log does not grow, so a floor waiting for the next ones costs nothing.
     */
    private void inLog(long id) {
        long previous = logAppliedId;
        if (id > previous) {
            logAppliedId = id;
            offerPurge(previous, id);
        }
    }

    private void offerPurge(long previousId, long id) {
        if (Math.floorDiv(previousId, PURGE_EVERY) == Math.floorDiv(id, PURGE_EVERY)) {
            return;
        }
        long floor = cluster.role() == Cluster.Role.LEADER ? Math.max(proposedFloor, purgeFloor) : purgeFloor;
        purgeOut.putInt(Protocol.TYPE_OFFSET, Protocol.PURGE, Protocol.ORDER);
        purgeOut.putInt(Protocol.INDEX_OFFSET, 0, Protocol.ORDER);
        purgeOut.putLong(Protocol.PURGE_FLOOR_OFFSET, floor, Protocol.ORDER);
        long result = cluster.offer(purgeOut, 0, Protocol.PURGE_LENGTH);
        if (result < 0) {
            // not retried (a retry would be a message the other members do not offer): the next one carries the floor
            LOG.log(System.Logger.Level.DEBUG, "member " + memberId + ": PURGE offer returned " + result);
        }
    }

    private int requestSnapshotIfDue(long nowNs) {
        if (bytesSinceSnapshot < settings.snapshotEveryBytes() || cluster.role() != Cluster.Role.LEADER
                || nowNs - snapshotRequestedAtNs < 1_000_000_000L) {
            return 0;
        }
        snapshotRequestedAtNs = nowNs;
        return ReplicaNode.requestSnapshot(cluster) ? 1 : 0;
    }

    private void publishViews() {
        viewLastApplied = lastAppliedId;
        viewTerm = writerTerm;
    }

    /** Called by the leader's {@link LogPurger}: a position every member has recorded; appended as PURGE. */
    void proposeFloor(long floor) {
        proposedFloor = floor;
    }

    /** The purge floor agreed through the log (0 before any PURGE). */
    long purgeFloor() {
        return viewPurgeFloor;
    }

    /** The second-newest snapshot this service took, or the one it started from; -1 if none. */
    long safeSnapshotPosition() {
        return safeSnapshotPosition;
    }

    long lastAppliedId() {
        return viewLastApplied;
    }

    long writerTerm() {
        return viewTerm;
    }

    long snapshotsTaken() {
        return snapshotsTaken;
    }

    long snapshotsLoaded() {
        return snapshotsLoaded;
    }

    Cluster.Role role() {
        return role;
    }
}
