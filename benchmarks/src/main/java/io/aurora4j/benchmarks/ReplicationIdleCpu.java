package io.aurora4j.benchmarks;

import io.aurora4j.replication.ReplicatedStore;
import io.aurora4j.txn.Group;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Idle CPU of a three-member replica cluster (issue 12), a harness rather than a JMH benchmark (nothing to
 * repeat per operation): for each idle strategy (the default back-off, then {@code lowCpu(true)}), starts three
 * members in this JVM on 127.0.0.1, waits for a leader and 3 s more, then measures this process's CPU time over
 * {@code seconds} (default 10) with nothing sent — first the members alone, then with a {@link ReplicatedStore}
 * connected and a group open on it (checkpointing every 10 ms, nothing changing). Prints the share of one core,
 * and the threads that used the most. Removes its directories and {@code /dev/shm} files.
 *
 * <p>Run (after {@code ./build mvn -q -o -DskipTests -pl benchmarks -am package}):
 * {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * io.aurora4j.benchmarks.ReplicationIdleCpu [seconds]}.
 */
public final class ReplicationIdleCpu {
    private ReplicationIdleCpu() {
    }

    /**
     * Runs the measurement.
     *
     * @param args optionally the measured seconds per configuration
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        for (boolean lowCpu : new boolean[]{false, true}) {
            String idle = lowCpu ? "lowCpu(true) (sleep 1 ms)" : "default back-off (to a 1 ms park)";
            try (ReplicaClusters cluster = new ReplicaClusters("idle", lowCpu)) {
                Thread.sleep(3_000);
                measure("3 members, " + idle, seconds);
                try (Group g = Group.builder("idle").store(ReplicatedStore.open(cluster.settings))
                        .checkpointEvery(Duration.ofMillis(10)).open()) {
                    g.newLong("x", 0);
                    g.barrier().join();
                    Thread.sleep(3_000);
                    measure("3 members + a connected ReplicatedStore and its group, " + idle, seconds);
                }
            }
        }
    }

    private static void measure(String what, int seconds) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> before = threadCpu(threads);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu = os.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - t0;
        Map<Long, Long> after = threadCpu(threads);
        Map<String, Long> byName = new HashMap<>();
        after.forEach((id, ns) -> {
            var info = threads.getThreadInfo(id);
            if (info != null) {
                // One line per kind of agent, summed over the members: the drivers' threads are named by their
                // directory ("/dev/shm/aurora4j-<cluster>-node0 [sender,...]"), the others end in a member number.
                String kind = info.getThreadName().replaceAll("^\\S*aurora4j-\\S*-(node|client)\\S*\\s*", "media driver ")
                        .replaceAll("-?\\d+$", "");
                byName.merge(kind, ns - before.getOrDefault(id, 0L), Long::sum);
            }
        });
        TreeMap<Long, String> top = new TreeMap<>();
        byName.forEach((name, ns) -> top.put(-ns, name));
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (var e : top.entrySet()) {
            if (n++ == 5) {
                break;
            }
            sb.append(String.format("%s %.1f%%; ", e.getValue(), -e.getKey() * 100.0 / wall));
        }
        System.out.printf("idle CPU, %s: %.1f%% of one core over %.1f s (load average %.1f); top threads: %s%n",
                what, cpu * 100.0 / wall, wall / 1e9, os.getSystemLoadAverage(), sb);
    }

    private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
        Map<Long, Long> m = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long ns = threads.getThreadCpuTime(id);
            if (ns >= 0) {
                m.put(id, ns);
            }
        }
        return m;
    }
}
