package io.aurora4j.replication;

import io.aurora4j.store.Store;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas that stop and come back: a restarted follower catches up from its snapshot, its log and the leader; a
 * member whose store directory was lost is rebuilt from its own snapshot plus the log (a snapshot holding an image
 * of 300 KiB, far over one MTU, so that it is read back in fragments); losing the leader costs
 * the primary latency, never a checkpoint (its client resends to the new leader, the service applies once).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplicaRecoveryTest {

    @Test
    void restartedMembersCatchUpAndLeaderLossLosesNothing() throws Exception {
        try (LocalCluster cluster = new LocalCluster("recover")) {
            cluster.awaitLeader();
            try (Group g = Group.builder("recovering").store(ReplicatedStore.open(cluster.settings))
                    .checkpointEvery(Duration.ofMillis(10)).open()) {
                TLong counter = g.newLong("counter", 0);
                // an image far larger than one MTU: a snapshot's messages then arrive in fragments when loaded
                byte[] big = new byte[300 * 1024];
                new java.util.Random(7).nextBytes(big);
                g.newRegion("big", 1 << 20).putBytes(0, big);
                commit(g, counter, 10);

                ReplicaNode leader = cluster.awaitLeader();
                assertTrue(leader.requestSnapshot(), "the snapshot toggle");
                for (ReplicaNode n : cluster.nodes) {
                    LocalCluster.await("member " + n.memberId() + " to take a snapshot", () -> n.snapshotsTaken() >= 1);
                }
                commit(g, counter, 10);

                // a follower stops; two members still commit
                int follower = (leader.memberId() + 1) % LocalCluster.MEMBERS;
                cluster.stop(follower);
                commit(g, counter, 10);
                long id = commit(g, counter, 1);
                ReplicaNode back = cluster.start(follower);
                LocalCluster.await("member " + follower + " to catch up to " + id, () -> back.lastAppliedCheckpointId() >= id);
                assertTrue(back.startedFromSnapshot(), "member " + follower + " loads its snapshot");

                // a member loses its store directory: its snapshot holds the image, the log after it the rest
                int wiped = (leader.memberId() + 2) % LocalCluster.MEMBERS;
                cluster.stop(wiped);
                LocalCluster.deleteTree(cluster.nodeDir(wiped).resolve("store"));
                commit(g, counter, 5);
                long id2 = commit(g, counter, 1);
                ReplicaNode rebuilt = cluster.start(wiped);
                LocalCluster.await("member " + wiped + " to rebuild to " + id2, () -> rebuilt.lastAppliedCheckpointId() >= id2);
                assertTrue(rebuilt.startedFromSnapshot(), "member " + wiped + " loads its snapshot");

                // the leader stops: the next barriers wait for a new leader and complete on it
                ReplicaNode oldLeader = cluster.awaitLeader();
                cluster.stop(oldLeader.memberId());
                long t0 = System.nanoTime();
                commit(g, counter, 1);
                long failoverMs = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("replication: barrier across a leader stop took " + failoverMs + " ms");
                commit(g, counter, 11);
                long id3 = commit(g, counter, 1);
                ReplicaNode returned = cluster.start(oldLeader.memberId());
                LocalCluster.await("the old leader to catch up to " + id3, () -> returned.lastAppliedCheckpointId() >= id3);
                assertEquals(50, counter.get());
            }
            // every member's own store holds the last checkpoint, counter included
            long expected;
            try (ReplicatedStore s = ReplicatedStore.open(cluster.settings); Group g = Group.open(s)) {
                assertEquals(50, g.longRef("counter").get());
                expected = s.lastDurable().orElseThrow().id();
            }
            for (ReplicaNode n : cluster.nodes) {
                LocalCluster.await("member " + n.memberId() + " to apply " + expected, () -> n.lastAppliedCheckpointId() >= expected);
            }
            for (int i = 0; i < LocalCluster.MEMBERS; i++) {
                cluster.stop(i);
                try (Store local = Store.directory(cluster.nodeDir(i).resolve("store"))) {
                    assertEquals(expected, local.lastDurable().orElseThrow().id(), "member " + i);
                    StoredState st = local.state(expected);
                    byte[] v = st.objects().stream().filter(o -> o.id().equals("counter")).findFirst().orElseThrow().value();
                    assertEquals(50, java.nio.ByteBuffer.wrap(v).getLong(), "member " + i + "'s counter");
                }
            }
        }
    }

    /** Adds 1 to the counter {@code times} times, each followed by a barrier; returns the last barrier's checkpoint id. */
    private static long commit(Group g, TLong counter, int times) throws Exception {
        long id = -1;
        for (int i = 0; i < times; i++) {
            counter.add(1);
            id = g.barrier().get(90, TimeUnit.SECONDS).id();
        }
        return id;
    }
}
