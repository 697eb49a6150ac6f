package io.aurora4j.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A network partition, for real, in Linux network namespaces the test creates and removes itself: five test
 * hosts (three member processes, an old and a new primary process), each in a namespace of its own with one
 * veth pair to a bridge in a sixth namespace, on 10.213.0.0/24 (no route to anything else: traffic stays between
 * the test hosts). The old primary and the cluster's leader are cut off together (their bridge ports go down):
 * the old leader keeps its role for a while and the old primary keeps sending to it, while the majority elects
 * a new leader and a new primary opens there. Then the partition heals. No split brain: every output the old
 * primary ever released ({@code ACK v}, also after the partition and after the heal) is in what the new primary
 * restored, the old primary fails (fenced) instead of committing anything more, and the new primary goes on.
 *
 * <p>Needs root and {@code ip netns} (Linux); skipped with the reason otherwise. Every namespace (and with it
 * every veth and the bridge), process, directory and {@code /dev/shm} file it created is removed, also on
 * failure.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PartitionTest {
    private static final String SUBNET = "10.213.0.";

    private final String prefix = "a4j" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
    private final List<String> namespaces = new ArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();

    @Test
    void cutOffOldLeaderAndPrimaryNoSplitBrainNoAcknowledgedLoss() throws Exception {
        assumeTrue(netnsAllowed(), () -> "network namespaces are not available here: " + whyNot);
        String cluster = "part-" + ProcessHandle.current().pid() + "-" + prefix;
        String[] members = {SUBNET + "1:20100", SUBNET + "2:20100", SUBNET + "3:20100"};
        ReplicationSettings settings = ReplicationSettings.forTests(cluster, members);
        Path root = Files.createTempDirectory("aurora4j-replication-partition-");
        try {
            ip("netns", "add", ns("hub"));
            ipIn("hub", "link", "add", "br0", "type", "bridge");
            ipIn("hub", "link", "set", "br0", "up");
            for (int host = 1; host <= 5; host++) { // 1-3 members, 4 the old primary, 5 the new one
                addHost(host);
            }
            ChildJvm[] nodes = new ChildJvm[3];
            for (int i = 0; i < 3; i++) {
                nodes[i] = start(i + 1, "member " + i, ReplicaNode.class.getName(),
                        ChildJvm.memberArgs(i, root, members, cluster).toArray(String[]::new));
            }
            ChildJvm old = start(4, "old primary", PrimaryMain.class.getName(), cluster,
                    String.join(",", members), SUBNET + "4");
            assertEquals("RESTORED 0", old.awaitLine("RESTORED", l -> l.startsWith("RESTORED ")).split(" TERM")[0]);
            old.awaitLine("10 acks", l -> l.equals("ACK 10"));
            int leader = leaderOf(nodes);

            long t0 = System.nanoTime();
            ipIn("hub", "link", "set", hubSide(leader + 1), "down");
            ipIn("hub", "link", "set", hubSide(4), "down");
            long ackedAtCut = maxOf(old, "ACK ");
            ChildJvm fresh = start(5, "new primary", PrimaryMain.class.getName(), cluster,
                    String.join(",", members), SUBNET + "5");
            long restored = Long.parseLong(fresh.awaitLine("RESTORED", l -> l.startsWith("RESTORED ")).split(" ")[1]);
            long openedMs = (System.nanoTime() - t0) / 1_000_000;
            fresh.awaitLine("5 acks after the failover", l -> l.equals("ACK " + (restored + 5)));

            ipIn("hub", "link", "set", hubSide(leader + 1), "up");
            ipIn("hub", "link", "set", hubSide(4), "up");
            long t1 = System.nanoTime();
            old.awaitLine("its fencing after the heal", l -> l.startsWith("FAILED "));
            long fencedMs = (System.nanoTime() - t1) / 1_000_000;
            assertTrue(old.lines.stream().anyMatch(l -> l.contains("WriterFencedException")),
                    "the old primary failed, but not fenced:\n" + String.join("\n", old.lines));
            long oldMaxAck = maxOf(old, "ACK ");
            long oldMaxWrite = maxOf(old, "WRITE ");
            assertTrue(restored >= ackedAtCut, "the new primary restored " + restored + ", the old one had released " + ackedAtCut);
            assertTrue(restored >= oldMaxAck, "split brain: the old primary released ACK " + oldMaxAck
                    + " that the new primary (restored " + restored + ") does not hold");
            assertTrue(restored <= oldMaxWrite, "restored " + restored + " was never written (max " + oldMaxWrite + ")");
            long before = maxOf(fresh, "ACK ");
            fresh.awaitLine("5 acks after the heal", l -> l.equals("ACK " + (before + 5)));
            System.out.println("PartitionTest: old leader " + leader + " and old primary cut off at ACK " + ackedAtCut
                    + "; new primary restored " + restored + " " + openedMs + " ms after the cut (JVM start included);"
                    + " old primary's last ACK " + oldMaxAck + ", fenced " + fencedMs + " ms after the heal");
        } finally {
            for (ChildJvm c : children) {
                c.stop();
            }
            for (int i = namespaces.size() - 1; i >= 0; i--) {
                run(List.of("ip", "netns", "del", namespaces.get(i))); // removes its veth ends and the bridge
            }
            LocalCluster.deleteShm(settings);
            LocalCluster.deleteTree(root);
        }
    }

    /** A test host: a namespace with one veth pair to the bridge, address {@code 10.213.0.<host>}. */
    private void addHost(int host) throws IOException, InterruptedException {
        String name = ns("h" + host);
        ip("netns", "add", name);
        ip("link", "add", "eth" + host, "netns", name, "type", "veth", "peer", "name", hubSide(host), "netns", ns("hub"));
        ipIn("h" + host, "addr", "add", SUBNET + host + "/24", "dev", "eth" + host);
        ipIn("h" + host, "link", "set", "eth" + host, "up");
        ipIn("h" + host, "link", "set", "lo", "up");
        ipIn("hub", "link", "set", hubSide(host), "master", "br0", "up");
    }

    private String hubSide(int host) {
        return "p" + host;
    }

    private String ns(String what) {
        return prefix + "-" + what;
    }

    private ChildJvm start(int host, String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns("h" + host))); // exec()s the JVM: same pid
        cmd.addAll(ChildJvm.java(mainClass));
        cmd.addAll(List.of(args));
        ChildJvm c = new ChildJvm(name, cmd);
        children.add(c);
        return c;
    }

    private static int leaderOf(ChildJvm[] nodes) {
        int[] found = {-1};
        LocalCluster.await("a leader", () -> {
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i].leads()) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static long maxOf(ChildJvm c, String prefix) {
        return c.lines.stream().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
                .max().orElse(0);
    }

    private void ip(String... args) throws IOException, InterruptedException {
        if (args[0].equals("netns") && args[1].equals("add")) {
            namespaces.add(args[2]); // before creating it: removed in finally even if a later step fails
        }
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        String out = run(cmd);
        if (out != null) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private void ipIn(String what, String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("-n", ns(what)));
        a.addAll(List.of(args));
        ip(a.toArray(String[]::new));
    }

    /** Runs a command; null if it succeeded, else its exit code and output. */
    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + new String(out, StandardCharsets.UTF_8).strip();
    }

    private static String whyNot = "";

    /** Linux, root, and {@code ip netns add} works (a probe namespace, removed at once). */
    private boolean netnsAllowed() throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            whyNot = "not Linux (" + System.getProperty("os.name") + ")";
            return false;
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            whyNot = "no ip(8) command (iproute2)";
            return false;
        }
        String probe = ns("probe");
        String failed;
        try {
            failed = run(List.of("ip", "netns", "add", probe));
        } catch (IOException e) {
            whyNot = "ip netns add could not run: " + e.getMessage();
            return false;
        }
        if (failed != null) {
            whyNot = "ip netns add " + probe + " was refused (needs root / CAP_SYS_ADMIN and CAP_NET_ADMIN): " + failed;
            return false;
        }
        run(List.of("ip", "netns", "del", probe));
        return true;
    }
}
