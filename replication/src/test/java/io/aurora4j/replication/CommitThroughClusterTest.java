package io.aurora4j.replication;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import io.aurora4j.txn.TMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durability through the cluster (milestone 1): a durable group on a replicated store, its barriers complete once
 * the three replicas committed, and a second store opened against the cluster restores exactly the last
 * committed state — increments of every kind, and one larger than a message (chunked).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommitThroughClusterTest {
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster("commit");
        cluster.awaitLeader();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aSecondStoreRestoresExactlyWhatTheBarrierCommitted() throws Exception {
        Random rnd = new Random(12);
        long[] expectedLongs = new long[20];
        byte[] big = new byte[1_500_000]; // three ingress messages of 512 KiB
        rnd.nextBytes(big);
        long lastId;
        try (Group g = Group.builder("orders").store(ReplicatedStore.open(cluster.settings))
                .checkpointEvery(Duration.ofMillis(10)).open()) {
            for (int i = 0; i < expectedLongs.length; i++) {
                g.newLong("l" + i, i);
                expectedLongs[i] = i;
            }
            TMap<String, String> m = g.newMap("m");
            Region r = g.newRegion("r", 4 << 20);
            g.barrier().get(60, TimeUnit.SECONDS);
            for (int round = 0; round < 30; round++) {
                int i = rnd.nextInt(expectedLongs.length);
                long v = rnd.nextLong();
                int k = round;
                g.atomic(() -> {
                    g.longRef("l" + i).set(v);
                    m.put("k" + k, "v" + k);
                    if (k % 3 == 0) {
                        m.remove("k" + (k - 3));
                    }
                });
                expectedLongs[i] = v;
                if (round % 10 == 0) {
                    g.barrier().get(60, TimeUnit.SECONDS);
                }
            }
            r.putBytes(1000, big);
            lastId = g.barrier().get(60, TimeUnit.SECONDS).id();
        }
        for (ReplicaNode n : cluster.nodes) {
            LocalCluster.await("member " + n.memberId() + " to apply checkpoint " + lastId,
                    () -> n.lastAppliedCheckpointId() >= lastId);
        }
        try (ReplicatedStore store = ReplicatedStore.open(cluster.settings)) {
            assertEquals(lastId, store.lastDurable().orElseThrow().id());
            try (Group g = Group.open(store)) {
                assertEquals("orders", g.name());
                for (int i = 0; i < expectedLongs.length; i++) {
                    assertEquals(expectedLongs[i], g.longRef("l" + i).get(), "l" + i);
                }
                TMap<String, String> m = g.map("m");
                for (int k = 0; k < 30; k++) {
                    boolean removed = k % 3 == 0 && k + 3 < 30;
                    assertEquals(removed ? null : "v" + k, m.get("k" + k), "k" + k);
                }
                byte[] back = new byte[big.length];
                g.region("r").getBytes(1000, back);
                assertTrue(java.util.Arrays.equals(big, back), "the chunked region pages");
                // the restored group goes on committing on top of what it restored
                g.longRef("l0").set(-5);
                long next = g.barrier().get(60, TimeUnit.SECONDS).id();
                assertTrue(next > lastId);
            }
        }
    }

    /**
     * Live migration: the old primary stops writing, takes a last barrier and closes; the new one opens, restores
     * and commits. Nothing is lost; the pause (last barrier to the new primary's first commit) is printed.
     */
    @Test
    @Order(2)
    void aHandOverMovesTheWriterWithAShortPause() throws Exception {
        // one cluster holds one group: the old primary is the group of the first test, reopened
        Group old = Group.open(ReplicatedStore.open(cluster.settings));
        TMap<Integer, Integer> m = old.newMap("handover");
        for (int i = 0; i < 200; i++) {
            int k = i;
            old.atomic(() -> m.put(k, k * k));
        }
        long t0 = System.nanoTime();
        old.barrier().get(60, TimeUnit.SECONDS);
        old.close();
        long closed = System.nanoTime();
        try (Group fresh = Group.open(ReplicatedStore.open(cluster.settings))) {
            long opened = System.nanoTime();
            TMap<Integer, Integer> back = fresh.map("handover");
            fresh.atomic(() -> back.put(-1, -1));
            fresh.barrier().get(60, TimeUnit.SECONDS);
            long committed = System.nanoTime();
            System.out.println("replication hand-over: last barrier + close " + (closed - t0) / 1_000_000 + " ms, open + restore "
                    + (opened - closed) / 1_000_000 + " ms, first commit " + (committed - opened) / 1_000_000
                    + " ms, pause " + (committed - t0) / 1_000_000 + " ms");
            assertEquals(201, back.size());
            for (int i = 0; i < 200; i++) {
                assertEquals(i * i, back.get(i));
            }
            // a durable log is refused, typed and naming the log, before anything is written; the group goes on
            DurableLogsNotReplicatedException refused = assertThrows(DurableLogsNotReplicatedException.class,
                    () -> fresh.log("audit"));
            assertEquals("audit", refused.logName());
            assertTrue(refused.getMessage().contains("'audit'"), refused.getMessage());
            fresh.atomic(() -> back.put(-2, -2));
            fresh.barrier().get(60, TimeUnit.SECONDS);
        }
        // one cluster holds one group: a group of another name is refused at open, naming both
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Group.builder("another").store(ReplicatedStore.open(cluster.settings)).open());
        assertTrue(e.getMessage().contains("holds group 'orders', not group 'another'"), e.getMessage());
    }
}
