package io.aurora4j.benchmarks;

import io.aurora4j.replication.ReplicaNode;
import io.aurora4j.replication.ReplicatedStore;
import io.aurora4j.replication.ReplicationSettings;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Failover figures of the replicated store (issue 12), a harness run as a {@code main}, not JMH (each sample is
 * a {@code kill -9}). Three {@link ReplicaNode} processes and a primary process on 127.0.0.1 with the default
 * settings (3 s heartbeat timeout; a 6 s start-up canvass) and {@code checkpointEvery(ZERO)}: the primary commits
 * a counter with {@code barrier()} in a loop and prints each commit with its {@link System#nanoTime} (Linux:
 * CLOCK_MONOTONIC, comparable between processes of one machine). Per repetition:
 * <ol>
 *   <li><b>primary</b>: a standby primary's JVM is started and waits (warm, not connected); the primary is
 *   killed with {@code kill -9} and the standby is told to open at once. Failure detection is the harness's
 *   decision, zero here by construction: in production add whatever the operator's or a supervisor's detector
 *   takes (nothing in this module detects a dead primary). Printed: kill → the standby's open returned
 *   (connect, writer grant, image), and kill → its first commit.</li>
 *   <li><b>leader</b>: the member whose latest role is LEADER is killed with {@code kill -9}; printed: kill → the
 *   primary's next commit (Aeron's detection by heartbeat timeout, election, the client's resend). The member is
 *   relaunched on its directory before the next repetition.</li>
 * </ol>
 * Every process, directory and {@code /dev/shm} file is removed at the end, also on failure.
 * Arguments: {@code [REPETITIONS]} (default 3). Needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}.
 */
public final class ReplicationFailover {
    private static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private ReplicationFailover() {
    }

    /** A child JVM whose output lines are kept; stdin stays open (closing it ends the child). */
    private static final class Child {
        final String name;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Child(String name, List<String> command) throws IOException {
            this.name = name;
            this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // the process died
                }
            });
        }

        void send(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }

        String await(String what, Predicate<String> p) {
            String[] found = new String[1];
            ReplicaClusters.await(name + ": " + what, () -> {
                for (String l : lines) {
                    if (p.test(l)) {
                        found[0] = l;
                        return true;
                    }
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " died waiting for " + what + ":\n" + String.join("\n", lines));
                }
                return false;
            });
            return found[0];
        }

        /**
         * The end time of the first {@code COMMIT v start end} line that started after {@code after} (a commit
         * answered just before a kill may still be printed after it: it does not count).
         */
        long commitAfter(long after) {
            String l = await("a commit after the kill", s -> s.startsWith("COMMIT ") && start(s) > after);
            return time(l);
        }

        private static long start(String line) {
            String[] f = line.split(" ");
            return Long.parseLong(f[2]);
        }

        private static long time(String line) {
            return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
    }

    /** Runs the harness; prints one line per sample and a summary. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--primary")) {
            primary(args);
            return;
        }
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String cluster = ReplicaClusters.uniqueName("failover");
        String[] members = ReplicaClusters.freeMembers(3);
        Path dir = DurableDirs.create("failover");
        List<Child> all = new ArrayList<>();
        Child[] nodes = new Child[3];
        List<Long> primaryOpen = new ArrayList<>();
        List<Long> primaryFirst = new ArrayList<>();
        List<Long> leaderNext = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes[i] = node(all, i, dir, members, cluster);
            }
            Child primary = primary(all, members, cluster, false);
            primary.await("20 commits", l -> l.startsWith("COMMIT 20 "));
            for (int r = 0; r < repetitions; r++) {
                Child standby = primary(all, members, cluster, true);
                standby.await("WAITING", l -> l.equals("WAITING"));
                long kill = System.nanoTime();
                primary.kill9();
                standby.send("GO");
                String opened = standby.await("OPENED", l -> l.startsWith("OPENED "));
                long open = Long.parseLong(opened.substring(opened.lastIndexOf(' ') + 1)) - kill;
                long first = standby.commitAfter(kill) - kill;
                primaryOpen.add(open);
                primaryFirst.add(first);
                System.out.printf("repetition %d: kill -9 of the primary -> standby opened %.0f ms, first commit %.0f ms%n",
                        r, open / 1e6, first / 1e6);
                primary = standby;
                awaitMoreCommits(primary, 20);

                int leader = leader(nodes);
                kill = System.nanoTime();
                nodes[leader].kill9();
                long next = primary.commitAfter(kill) - kill;
                leaderNext.add(next);
                int newLeader = leader(nodes); // the killed one's process is gone: another member leads now
                System.out.printf("repetition %d: kill -9 of leader member %d -> next commit %.0f ms (new leader %d)%n",
                        r, leader, next / 1e6, newLeader);
                nodes[leader] = node(all, leader, dir, members, cluster);
                nodes[leader].await("READY", l -> l.startsWith("READY "));
                awaitMoreCommits(primary, 20);
            }
            System.out.println("primary kill -9 -> standby open (ms): " + summary(primaryOpen));
            System.out.println("primary kill -9 -> first commit of the standby (ms), detection excluded: " + summary(primaryFirst));
            System.out.println("leader kill -9 -> next committed checkpoint (ms): " + summary(leaderNext));
        } finally {
            for (Child c : all) {
                c.stop();
            }
            ReplicaClusters.deleteShm(cluster);
            DurableDirs.delete(dir);
        }
    }

    private static void awaitMoreCommits(Child c, int more) {
        int before = c.lines.size();
        c.await(more + " more commits", l -> c.lines.size() > before + more);
    }

    private static String summary(List<Long> ns) {
        List<Long> s = new ArrayList<>(ns);
        s.sort(null);
        StringBuilder b = new StringBuilder();
        for (long v : s) {
            b.append(b.isEmpty() ? "" : ", ").append(Math.round(v / 1e6));
        }
        return b + (s.isEmpty() ? "" : " (median " + Math.round(s.get(s.size() / 2) / 1e6) + ")");
    }

    private static int leader(Child[] nodes) {
        int[] found = {-1};
        ReplicaClusters.await("a leader among the member processes", () -> {
            for (int i = 0; i < nodes.length; i++) {
                String last = null;
                for (String l : nodes[i].lines) {
                    if (l.startsWith("ROLE ")) {
                        last = l;
                    }
                }
                if (nodes[i].process.isAlive() && last != null && last.endsWith(" LEADER")) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static Child node(List<Child> all, int i, Path dir, String[] members, String cluster) throws IOException {
        List<String> cmd = java(ReplicaNode.class.getName());
        cmd.addAll(List.of(String.valueOf(i), dir.resolve("node" + i).toString(), String.join(",", members),
                "--cluster-name", cluster, "--startup-canvass-ms", "6000", "--exit-on-stdin-eof"));
        Child c = new Child("member " + i, cmd);
        all.add(c);
        return c;
    }

    private static Child primary(List<Child> all, String[] members, String cluster, boolean standby) throws IOException {
        List<String> cmd = java(ReplicationFailover.class.getName());
        cmd.addAll(List.of("--primary", cluster, String.join(",", members)));
        if (standby) {
            cmd.add("--standby");
        }
        Child c = new Child("primary", cmd);
        all.add(c);
        return c;
    }

    private static List<String> java(String mainClass) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), ADD_EXPORTS,
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
    }

    /**
     * The primary process: waits for {@code GO} when it is a standby ({@code --standby}), opens the store
     * (restoring the group if the cluster holds one), prints {@code OPENED t}, then commits forever, printing
     * {@code COMMIT v start end} (nanoTime before the write and after its barrier). Exits when its standard input closes.
     */
    private static void primary(String[] args) throws Exception {
        ReplicationSettings settings = ReplicationSettings.builder(args[2].split(",")).clusterName(args[1])
                .startupCanvassTimeout(Duration.ofSeconds(6)).connectTimeout(Duration.ofSeconds(60))
                .commitTimeout(Duration.ofSeconds(60)).build();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.equals("GO")) {
                        go.countDown();
                    }
                }
            } catch (IOException ignored) {
                // as EOF
            }
            Runtime.getRuntime().halt(4);
        });
        // the first primary opens at once; a standby waits (its JVM is warm, it is not connected)
        if (args.length > 3 && args[3].equals("--standby")) {
            System.out.println("WAITING");
            go.await();
        }
        ReplicatedStore store = ReplicatedStore.open(settings);
        boolean restore = store.lastDurable().isPresent();
        Group g = restore ? Group.open(store) : Group.builder("failover").store(store).checkpointEvery(Duration.ZERO).open();
        TLong counter = restore ? g.longRef("counter") : g.newLong("counter", 0);
        System.out.println("OPENED " + System.nanoTime());
        for (;;) {
            long start = System.nanoTime();
            long v = counter.add(1);
            g.barrier().get(120, TimeUnit.SECONDS);
            System.out.println("COMMIT " + v + " " + start + " " + System.nanoTime());
        }
    }
}
