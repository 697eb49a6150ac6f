package io.aurora4j.replication;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.cluster.RecordingLog;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log is purged behind snapshots, and only as far as every member has recorded it: each member's archive
 * stays bounded under many checkpoints and snapshots, a follower stopped while the others go on (and take
 * snapshots) still catches up when it comes back, and a member whose store directory was lost is still rebuilt.
 * (Each member deleting its log behind its own second-newest snapshot, without the floor every member reached,
 * strands the stopped follower: its catch-up asks the leader for log the leader has deleted.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LogPurgeTest {
    private static final int SEGMENT = 1 << 20;
    private static final int WRITE = 64 * 1024;
    private static final int REGION = 256 * 1024;
    /**
     * A member's archive once purged: at most 3 log segments, the newest two snapshots (two recordings each, the
     * consensus module's and the service's, a segment file each at most), the catalog and the archive's mark file
     * (a header and its error buffer); every load writes more. (The bound once left the mark file out and held
     * only while the purged log was at most two segments: a CI run failed with a log of three.)
     */
    private static final long ARCHIVE_BOUND = 3L * SEGMENT + 4L * SEGMENT + Archive.Configuration.catalogCapacity()
            + ArchiveMarkFile.HEADER_LENGTH + Archive.Configuration.errorBufferLength();

    @Test
    void archivesStayBoundedAndAStoppedFollowerStillCatchesUp() throws Exception {
        try (LocalCluster cluster = new LocalCluster("purge", b -> b.termLength(256 * 1024)
                .archiveSegmentLength(SEGMENT).snapshotEveryBytes(1 << 20).purgeInterval(Duration.ofMillis(300)))) {
            cluster.awaitLeader();
            byte[] expected = new byte[REGION];
            try (Group g = Group.builder("purged").store(ReplicatedStore.open(cluster.settings))
                    .checkpointEvery(Duration.ofMillis(10)).open()) {
                Region r = g.newRegion("r", REGION);
                load(g, r, expected, 160);  // 10 MiB of increments
                snapshotsAndPurge(cluster, g, r, expected, "after the first load");

                // a follower stops; the others commit (and snapshot) far past where it stopped
                ReplicaNode leader = cluster.awaitLeader();
                int follower = (leader.memberId() + 1) % LocalCluster.MEMBERS;
                cluster.stop(follower);
                long floorAtStop = cluster.nodes[leader.memberId()].purgeFloor();
                load(g, r, expected, 100);
                for (int i = 0; i < 3; i++) {
                    snapshot(cluster, cluster.awaitLeader());
                }
                Thread.sleep(3 * cluster.settings.purgeInterval().toMillis());
                long id = load(g, r, expected, 1);
                ReplicaNode back = cluster.start(follower);
                LocalCluster.await("member " + follower + " to catch up to " + id, () -> back.lastAppliedCheckpointId() >= id);
                System.out.println("replication: purge floor " + floorAtStop + " when member " + follower
                        + " stopped; it caught up to checkpoint " + id);

                // purging resumes once every member is back, and every member's archive is bounded again
                load(g, r, expected, 100);
                snapshotsAndPurge(cluster, g, r, expected, "after the follower came back");

                // a member whose store directory is lost is rebuilt from its snapshot plus the (purged) log
                int wiped = (cluster.awaitLeader().memberId() + 2) % LocalCluster.MEMBERS;
                cluster.stop(wiped);
                LocalCluster.deleteTree(cluster.nodeDir(wiped).resolve("store"));
                long id2 = load(g, r, expected, 20);
                ReplicaNode rebuilt = cluster.start(wiped);
                LocalCluster.await("member " + wiped + " to rebuild to " + id2, () -> rebuilt.lastAppliedCheckpointId() >= id2);
            }
            try (ReplicatedStore s = ReplicatedStore.open(cluster.settings); Group g = Group.open(s)) {
                byte[] back = new byte[REGION];
                g.region("r").getBytes(0, back);
                assertArrayEquals(expected, back, "the region as last committed");
            }
        }
    }

    /** {@code barriers} checkpoints of one 64 KiB region write each; returns the last checkpoint id. */
    private static long load(Group g, Region r, byte[] expected, int barriers) throws Exception {
        long id = -1;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < barriers; i++) {
            byte[] b = new byte[WRITE];
            rnd.nextBytes(b);
            int at = rnd.nextInt(REGION / WRITE) * WRITE;
            r.putBytes(at, b);
            System.arraycopy(b, 0, expected, at, WRITE);
            id = g.barrier().get(90, TimeUnit.SECONDS).id();
        }
        return id;
    }

    private static void snapshot(LocalCluster cluster, ReplicaNode leader) {
        long[] before = Arrays.stream(cluster.nodes).mapToLong(n -> n.isClosed() ? Long.MAX_VALUE : n.snapshotsTaken()).toArray();
        LocalCluster.await("the snapshot toggle", leader::requestSnapshot);
        for (ReplicaNode n : cluster.nodes) {
            if (!n.isClosed()) {
                LocalCluster.await("member " + n.memberId() + " to snapshot", () -> n.snapshotsTaken() > before[n.memberId()]);
            }
        }
    }

    /**
     * Two snapshots (so that each member's second-newest is recent), then every member's log shrinks to at most
     * three segments and its whole archive to {@link #ARCHIVE_BOUND}.
     */
    private static void snapshotsAndPurge(LocalCluster cluster, Group g, Region r, byte[] expected, String when)
            throws Exception {
        snapshot(cluster, cluster.awaitLeader());
        snapshot(cluster, cluster.awaitLeader());
        // the leader's PURGE goes out every 16 checkpoints: a few small ones carry the floor it measured
        long deadline = System.nanoTime() + LocalCluster.WAIT_MS * 1_000_000;
        while (Arrays.stream(cluster.nodes).anyMatch(n -> logBytes(n) > 3L * SEGMENT || archiveBytes(n) > ARCHIVE_BOUND)) {
            assertTrue(System.nanoTime() < deadline, "waited for every archive to be purged " + when + ": "
                    + Arrays.stream(cluster.nodes).map(n -> n.memberId() + ": log " + logBytes(n) + " bytes, archive "
                    + archiveBytes(n) + ", floor " + n.purgeFloor()).toList());
            for (int i = 0; i < 8; i++) {
                r.putByte(i, (byte) 1);
                expected[i] = 1;
                g.barrier().get(90, TimeUnit.SECONDS);
            }
            Thread.sleep(cluster.settings.purgeInterval().toMillis());
        }
        for (ReplicaNode n : cluster.nodes) {
            long log = logBytes(n);
            long archive = archiveBytes(n);
            long bound = ARCHIVE_BOUND;
            System.out.println("replication: member " + n.memberId() + " " + when + ": log " + log + " bytes on disk, archive "
                    + archive + " (bound " + bound + "), floor " + n.purgeFloor() + ", " + n.logSegmentsPurged()
                    + " segments purged, " + n.snapshotsTaken() + " snapshots");
            assertTrue(archive <= bound, "member " + n.memberId() + "'s archive holds " + archive + " bytes > " + bound + " " + when);
        }
    }

    /** Bytes of the member's log recording (its {@code <recordingId>-<position>.rec} segment files). */
    private static long logBytes(ReplicaNode n) {
        long recordingId;
        try (RecordingLog log = new RecordingLog(n.directory().resolve("cluster").toFile(), false)) {
            recordingId = log.findLastTermRecordingId();
        }
        try (Stream<Path> s = Files.list(n.directory().resolve("archive"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(recordingId + "-")
                    && p.getFileName().toString().endsWith(".rec")).mapToLong(LogPurgeTest::size).sum();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long archiveBytes(ReplicaNode n) {
        // Files.list, not walk: walk reads each entry's attributes and throws when a purge deletes a segment
        // between listing and reading (seen in CI); the archive directory is flat
        try (Stream<Path> s = Files.list(n.directory().resolve("archive"))) {
            return s.filter(Files::isRegularFile).mapToLong(LogPurgeTest::size).sum();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // deleted by a purge while listed
        }
    }
}
