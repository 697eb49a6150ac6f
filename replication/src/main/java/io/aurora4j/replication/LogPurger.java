package io.aurora4j.replication;

import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.ClusterMembership;
import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.RecordingLog;
import io.aeron.archive.client.ArchiveException;
import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.File;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keeps a member's copy of the log bounded: deletes the archive segments of the log that no member can need any
 * more. Aeron's open-source cluster never ships a snapshot to a follower; a follower that is behind catches up by
 * replaying the leader's log from its own position, and a restarting member replays its own log from its own
 * latest snapshot. So a member may drop its log below position {@code p} only if
 * <ol>
 *   <li>every member has recorded the log up to {@code p} (any of them may become the leader and then serve the
 *       others' catch-up from its log) — the <em>floor</em>, and</li>
 *   <li>this member holds a complete snapshot at or above {@code p} (its own restart replays from there).</li>
 * </ol>
 *
 * <h2>The floor, agreed through the log</h2>
 * Only the leader's consensus module knows each member's recorded position (the append positions the followers
 * acknowledge, as {@link ClusterTool#listMembers(ClusterMembership, File, long)} reports them). On the leader,
 * this purger takes their minimum — nothing when any member's position is unknown (a member down since the last
 * election, or never heard from), so a stopped member pauses purging rather than being stranded — and hands it
 * to the service, which appends it as a PURGE service message. Every member applies PURGE at the same log
 * position, so the floor is the same replicated value everywhere and never decreases, and no follower purges
 * beyond what the leader had measured. The floor is at most the commit position (the minimum of all members'
 * positions is at most the majority's), so no election ever truncates the log below it.
 *
 * <h2>Each member's own bound</h2>
 * A member purges to {@code min(floor, its second-newest snapshot)}: the newest snapshot it took may not be in
 * its recording log yet when the service returns from taking it (a crash there restarts from the previous one),
 * the second-newest one is. Purging removes whole segment files ({@link AeronArchive#purgeSegments}), so up to
 * a segment more is kept.
 *
 * <h2>What this does not do</h2>
 * A member whose whole directory (archive included) was lost cannot rejoin once the log has been purged: it
 * would need the log from position 0, and Aeron's open-source cluster sends no snapshot to a follower.
 *
 * <h2>Old snapshots</h2>
 * Each snapshot is two archive recordings of its own (the consensus module's and the service's, at least a
 * segment file each). Those older than the member's second-newest snapshot are deleted
 * ({@link AeronArchive#purgeRecording}); Aeron's consensus module, when it starts, marks the recording-log entries
 * of snapshot recordings that no longer exist invalid, and a restart loads the newest valid one.
 *
 * <p>Runs on one daemon thread of its own, every {@link ReplicationSettings#purgeInterval()}; the archive calls
 * are on that thread only, with an Aeron client of its own. {@link #close} stops it.
 */
final class LogPurger implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LogPurger.class.getName());

    private final int memberId;
    private final int memberCount;
    private final File clusterDir;
    private final ReplicaService service;
    private final BooleanSupplier isLeader;
    private final String aeronDir;
    private final String localControlChannel;
    private final int localControlStreamId;
    private final int termLength;
    private final int segmentLength;
    private final long intervalMs;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);

    private AeronArchive archive;
    private long purgedTo = -1;
    private volatile long segmentsDeleted;
    private volatile long snapshotsDeleted;
    private final LongHashSet deletedSnapshots = new LongHashSet();
    private volatile long lastProposed = -1;

    LogPurger(int memberId, ReplicationSettings settings, File clusterDir, ReplicaService service, BooleanSupplier isLeader,
              String aeronDir, String localControlChannel, int localControlStreamId, int segmentLength) {
        this.memberId = memberId;
        this.memberCount = settings.members().size();
        this.clusterDir = clusterDir;
        this.service = service;
        this.isLeader = isLeader;
        this.aeronDir = aeronDir;
        this.localControlChannel = localControlChannel;
        this.localControlStreamId = localControlStreamId;
        this.termLength = settings.termLength();
        this.segmentLength = segmentLength;
        this.intervalMs = settings.purgeInterval().toMillis();
        this.thread = Thread.ofPlatform().daemon().name("aurora4j-purge-" + memberId).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (true) {
            try {
                if (stop.await(intervalMs, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            }
            try {
                if (isLeader.getAsBoolean()) {
                    propose();
                }
                purgeLocal();
            } catch (RuntimeException e) {
                // a purge that fails now (a replay reading the segment, an election) is tried again next interval
                LOG.log(System.Logger.Level.DEBUG, "member " + memberId + ": purge deferred: " + e);
                CloseHelper.quietClose(archive);
                archive = null;
            }
        }
        CloseHelper.quietClose(archive);
    }

    /** On the leader: the lowest position every member has recorded, if every member's is known. */
    private void propose() {
        ClusterMembership m = new ClusterMembership();
        if (!ClusterTool.listMembers(m, clusterDir, 2_000) || m.leaderMemberId != memberId) {
            return;
        }
        long floor = minimumPosition(m.activeMembers, memberCount);
        if (floor > 0) {
            lastProposed = floor;
            service.proposeFloor(floor);
        }
    }

    /** The minimum recorded position of {@code expected} members; -1 if any is unknown or missing. */
    static long minimumPosition(List<ClusterMember> members, int expected) {
        if (members == null || members.size() != expected) {
            return -1;
        }
        long min = Long.MAX_VALUE;
        for (ClusterMember cm : members) {
            if (cm.logPosition() < 0) {
                return -1;
            }
            min = Math.min(min, cm.logPosition());
        }
        return min;
    }

    /** Deletes this member's log segments wholly below {@code min(agreed floor, second-newest snapshot)}. */
    private void purgeLocal() {
        long target = Math.min(service.purgeFloor(), service.safeSnapshotPosition());
        if (target <= purgedTo || target <= 0) {
            return;
        }
        long safeSnapshot = service.safeSnapshotPosition();
        long recordingId;
        LongArrayList oldSnapshots = new LongArrayList();
        try (RecordingLog log = new RecordingLog(clusterDir, false)) {
            recordingId = log.findLastTermRecordingId();
            for (RecordingLog.Entry e : log.entries()) {
                // snapshots older than the one a restart could fall back to; Aeron's consensus module invalidates
                // the recording-log entries of snapshot recordings that are gone when it starts
                if (e.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && e.isValid && e.logPosition < safeSnapshot
                        && !oldSnapshots.containsLong(e.recordingId) && !deletedSnapshots.contains(e.recordingId)) {
                    oldSnapshots.addLong(e.recordingId);
                }
            }
        }
        if (recordingId < 0) {
            return;
        }
        if (archive == null) {
            // its own client: the consensus module's Aeron client is not for other threads (no client lock)
            archive = AeronArchive.connect(new AeronArchive.Context()
                    .aeronDirectoryName(aeronDir)
                    .controlRequestChannel(localControlChannel)
                    .controlRequestStreamId(localControlStreamId)
                    .controlResponseChannel("aeron:ipc?term-length=64k")
                    .idleStrategy(new SleepingMillisIdleStrategy(1)));
        }
        for (int i = 0; i < oldSnapshots.size(); i++) {
            long snapshotRecording = oldSnapshots.getLong(i);
            try {
                archive.purgeRecording(snapshotRecording);
            } catch (ArchiveException e) {
                if (e.errorCode() != ArchiveException.UNKNOWN_RECORDING) {
                    throw e;
                }
            }
            deletedSnapshots.add(snapshotRecording);
            snapshotsDeleted++;
        }
        long start = archive.getStartPosition(recordingId);
        long base = AeronArchive.segmentFileBasePosition(start, target, termLength, segmentLength);
        if (base > start) {
            long deleted = archive.purgeSegments(recordingId, base);
            segmentsDeleted += deleted;
            LOG.log(System.Logger.Level.INFO, "member " + memberId + ": purged " + deleted + " log segment(s) of recording "
                    + recordingId + " below " + base + " (floor " + service.purgeFloor() + ", snapshot "
                    + service.safeSnapshotPosition() + ")");
        }
        purgedTo = target;
    }

    /** Segment files this member deleted so far. */
    long segmentsDeleted() {
        return segmentsDeleted;
    }

    /** Snapshot recordings this member deleted so far. */
    long snapshotsDeleted() {
        return snapshotsDeleted;
    }

    /** The floor this member last proposed as leader; -1 if none. */
    long lastProposed() {
        return lastProposed;
    }

    /** Stops the thread (waits up to 10 s for a purge in progress). */
    @Override
    public void close() {
        stop.countDown();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
