package io.aurora4j.replication;

import io.aurora4j.txn.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

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

    /** A child JVM whose output lines are kept for the oracle. */
    static final class Child {
        final String name;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Child(String name, List<String> command) throws IOException {
            this.name = name;
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            this.process = pb.start();
            Thread.ofPlatform().daemon().name("out-" + name).start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // the process died
                }
            });
        }

        /** Writes one line to the child's standard input. */
        void send(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            process.waitFor(30, TimeUnit.SECONDS);
        }

        void stop() throws InterruptedException {
            process.destroy(); // SIGTERM: a clean close
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }

        String awaitLine(String what, Predicate<String> p) {
            String[] found = new String[1];
            LocalCluster.await(name + ": " + what, () -> {
                for (String l : lines) {
                    if (p.test(l)) {
                        found[0] = l;
                        return true;
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError(name + " died waiting for " + what + "; output:\n" + String.join("\n", lines));
                }
                return false;
            });
            return found[0];
        }
    }

    private final List<Child> all = new ArrayList<>();
    private final Child[] nodes = new Child[LocalCluster.MEMBERS];
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
            Child primary = startPrimary();
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
            for (Child c : all) {
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
    private Child handOver(Child old) throws Exception {
        Child next = startPrimary(true);
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

    private long restored(Child primary) {
        String l = primary.awaitLine("RESTORED", s -> s.startsWith("RESTORED "));
        return Long.parseLong(l.split(" ")[1]);
    }

    private void collect(Child primary) {
        for (String l : primary.lines) {
            if (l.startsWith("ACK ")) {
                maxAck.accumulateAndGet(Long.parseLong(l.substring(4)), Math::max);
            } else if (l.startsWith("WRITE ")) {
                maxWrite.accumulateAndGet(Long.parseLong(l.substring(6)), Math::max);
            }
        }
    }

    private void awaitMoreAcks(Child primary, int more) {
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
                Child c = nodes[i];
                String last = null;
                for (String l : c.lines) {
                    if (l.startsWith("ROLE ")) {
                        last = l;
                    }
                }
                if (c.process.isAlive() && last != null && last.endsWith(" LEADER")) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private Child startNode(int i) throws IOException {
        List<String> cmd = java(ReplicaNode.class.getName());
        cmd.addAll(List.of(String.valueOf(i), root.resolve("node" + i).toString(), String.join(",", members),
                "--cluster-name", clusterName, "--heartbeat-timeout-ms", "1000", "--startup-canvass-ms", "2000",
                "--exit-on-stdin-eof"));
        Child c = new Child("member " + i, cmd);
        all.add(c);
        return c;
    }

    private Child startPrimary() throws IOException {
        return startPrimary(false);
    }

    private Child startPrimary(boolean waitGo) throws IOException {
        List<String> cmd = java(PrimaryMain.class.getName());
        cmd.addAll(List.of(clusterName, String.join(",", members)));
        if (waitGo) {
            cmd.add("--wait-go");
        }
        Child c = new Child("primary", cmd);
        all.add(c);
        return c;
    }

    static List<String> java(String mainClass) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, mainClass));
        return cmd;
    }
}
