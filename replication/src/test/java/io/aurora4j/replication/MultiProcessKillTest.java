package io.aurora4j.replication;

import io.aurora4j.txn.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crashes for real: three member processes and a primary process on loopback, with the oracle in this JVM,
 * outside all of them. Each cycle kills (SIGKILL) a random follower, then the leader, then the primary, restarting
 * each; after a primary's death a new one fails over. After every cycle: every value the primaries released
 * ({@code ACK v}, printed by the sink of an EXTERNAL {@code Boundary} in the primary, see {@link PrimaryMain}) is in
 * what the next primary restores, and nothing restored was never written.
 * {@code -Dreplication.killCycles} sets the cycles (1 by default, 20 under {@code -Pthorough}).
 */
// 20 cycles (-Pthorough) take 15-20 min on the loaded 2-core machine; every wait inside is bounded on its own
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class MultiProcessKillTest {
    private static final long WAIT_MS = LocalCluster.WAIT_MS;

    private final List<ChildJvm> all = new ArrayList<>();
    private final ChildJvm[] nodes = new ChildJvm[LocalCluster.MEMBERS];
    private final AtomicLong maxAck = new AtomicLong();
    private final AtomicLong maxWrite = new AtomicLong();
    private String clusterName;
    private String[] members;
    private Path root;

    @Test
    void killNineOfFollowerLeaderAndPrimaryLosesNoReleasedOutput() throws Exception {
        int cycles = Integer.getInteger("replication.killCycles", 1);
        clusterName = "kill-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(new Random().nextInt());
        members = LocalCluster.freeMembers(LocalCluster.MEMBERS);
        root = Files.createTempDirectory("aurora4j-replication-kill-");
        ReplicationSettings settings = ReplicationSettings.forTests(clusterName, members);
        Random rnd = new Random();
        try {
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = startNode(i);
            }
            ChildJvm primary = startPrimary();
            assertEquals(0, restored(primary));
            awaitMoreAcks(primary, 10);
            for (int cycle = 0; cycle < cycles; cycle++) {
                int leader = awaitLeader();
                int follower = (leader + 1 + rnd.nextInt(LocalCluster.MEMBERS - 1)) % LocalCluster.MEMBERS;
                long t0 = System.nanoTime();
                nodes[follower].kill9();
                awaitMoreAcks(primary, 5);
                log("cycle " + cycle + ": follower " + follower + " killed, 5 more acks in " + ms(t0) + " ms");
                t0 = System.nanoTime();
                nodes[follower] = startNode(follower);
                nodes[follower].awaitLine("READY", l -> l.startsWith("READY "));
                log("cycle " + cycle + ": follower " + follower + " relaunched in " + ms(t0) + " ms (JVM start included)");
                awaitMoreAcks(primary, 5);

                leader = awaitLeader();
                t0 = System.nanoTime();
                nodes[leader].kill9();
                awaitMoreAcks(primary, 1);
                log("cycle " + cycle + ": leader " + leader + " killed, next ack after " + ms(t0) + " ms");
                nodes[leader] = startNode(leader);
                nodes[leader].awaitLine("READY", l -> l.startsWith("READY "));
                awaitMoreAcks(primary, 5);

                t0 = System.nanoTime();
                primary.kill9();
                collect(primary);
                long acked = maxAck.get();
                primary = startPrimary();
                long r = restored(primary);
                log("cycle " + cycle + ": primary killed at ack " + acked + " write " + maxWrite.get() + ", new primary restored "
                        + r + " after " + ms(t0) + " ms");
                assertTrue(r >= acked, "restored " + r + " lost released output " + acked);
                assertTrue(r <= maxWrite.get(), "restored " + r + " was never written (max " + maxWrite.get() + ")");
                awaitMoreAcks(primary, 5);
            }
            primary = handOver(primary);
            primary.kill9();
            collect(primary);
            try (ReplicatedStore s = ReplicatedStore.open(settings); Group g = Group.open(s)) {
                long v = g.longRef("counter").get();
                assertTrue(v >= maxAck.get() && v <= maxWrite.get(), v + " outside [" + maxAck + ", " + maxWrite + "]");
            }
        } finally {
            for (ChildJvm c : all) {
                c.stop();
            }
            LocalCluster.deleteShm(settings);
            LocalCluster.deleteTree(root);
        }
    }

    /**
     * Live migration (issue 12, item 4) between two processes: a new primary's JVM is started and waits; the old
     * one, sending under its load, is told to hand over (stop, last barrier); the new one is told to open. Every
     * output the old one released is in what the new one restored (exactly its last value: nothing was in flight),
     * the old one's next commit is refused (the new writer fenced it), and the pause from the old one's last commit
     * to the new one's first is printed (System.nanoTime of both processes: CLOCK_MONOTONIC, one machine).
     */
    private ChildJvm handOver(ChildJvm old) throws Exception {
        ChildJvm next = startPrimary(true);
        next.awaitLine("WAITING", l -> l.equals("WAITING"));
        awaitMoreAcks(old, 5);
        old.send("HANDOVER");
        String[] handed = old.awaitLine("HANDED_OVER", l -> l.startsWith("HANDED_OVER ")).split(" ");
        long t0 = System.nanoTime();
        next.send("GO");
        collect(old);
        long last = Long.parseLong(handed[1]);
        long r = restored(next);
        String[] first = next.awaitLine("FIRST_COMMIT", l -> l.startsWith("FIRST_COMMIT ")).split(" ");
        long relayMs = (t0 - Long.parseLong(handed[2])) / 1_000_000;
        long pauseMs = (Long.parseLong(first[2]) - Long.parseLong(handed[2])) / 1_000_000;
        log("hand-over: old primary's last commit " + last + ", new primary restored " + r + ", pause to its first commit "
                + pauseMs + " ms (of which " + relayMs + " ms the test relaying GO)");
        assertEquals(maxAck.get(), last, "the old primary's last commit is its last released output");
        assertEquals(last, r, "the new primary restored the old one's last commit, nothing lost, nothing invented");
        old.send("TRY");
        String outcome = old.awaitLine("the old primary's commit after the hand-over",
                l -> l.startsWith("REFUSED") || l.startsWith("COMMITTED"));
        log("hand-over: the old primary's commit after it: " + outcome);
        assertTrue(outcome.startsWith("REFUSED") && outcome.contains("WriterFencedException"), outcome);
        old.awaitLine("CLOSED", l -> l.equals("CLOSED"));
        long acked = maxAck.get();
        collect(old);
        assertEquals(acked, maxAck.get(), "the old primary released nothing after the hand-over");
        awaitMoreAcks(next, 5);
        return next;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void log(String s) {
        System.out.println("replication kill test: " + s);
    }

    private long restored(ChildJvm primary) {
        String l = primary.awaitLine("RESTORED", s -> s.startsWith("RESTORED "));
        return Long.parseLong(l.split(" ")[1]);
    }

    private void collect(ChildJvm primary) {
        for (String l : primary.lines) {
            if (l.startsWith("ACK ")) {
                maxAck.accumulateAndGet(Long.parseLong(l.substring(4)), Math::max);
            } else if (l.startsWith("WRITE ")) {
                maxWrite.accumulateAndGet(Long.parseLong(l.substring(6)), Math::max);
            }
        }
    }

    private void awaitMoreAcks(ChildJvm primary, int more) {
        long have = primary.lines.stream().filter(l -> l.startsWith("ACK ")).count();
        primary.awaitLine((have + more) + " acks", l -> {
            collect(primary);
            return primary.lines.stream().filter(x -> x.startsWith("ACK ")).count() >= have + more;
        });
        collect(primary);
    }

    /** The member whose latest ROLE line says LEADER, among the live ones. */
    private int awaitLeader() {
        int[] found = {-1};
        LocalCluster.await("a leader among the member processes", () -> {
            for (int i = 0; i < nodes.length; i++) {
                ChildJvm c = nodes[i];
                if (c.process.isAlive() && c.leads()) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private ChildJvm startNode(int i) throws IOException {
        List<String> cmd = ChildJvm.java(ReplicaNode.class.getName());
        cmd.addAll(ChildJvm.memberArgs(i, root, members, clusterName));
        ChildJvm c = new ChildJvm("member " + i, cmd);
        all.add(c);
        return c;
    }

    private ChildJvm startPrimary() throws IOException {
        return startPrimary(false);
    }

    private ChildJvm startPrimary(boolean waitGo) throws IOException {
        List<String> cmd = ChildJvm.java(PrimaryMain.class.getName());
        cmd.addAll(List.of(clusterName, String.join(",", members)));
        if (waitGo) {
            cmd.add("--wait-go");
        }
        ChildJvm c = new ChildJvm("primary", cmd);
        all.add(c);
        return c;
    }
}
