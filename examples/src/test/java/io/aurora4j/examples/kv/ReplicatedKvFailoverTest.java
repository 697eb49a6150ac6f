package io.aurora4j.examples.kv;

import io.aurora4j.replication.ReplicaNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The key-value service on a replicated group survives the crash of its process: three {@link ReplicaNode}
 * processes on 127.0.0.1, the service in a fourth ({@link ReplicatedKvServer}); a client in this JVM (the oracle,
 * outside every process that dies) pipelines {@code PUT}s and {@code INCR}s and records each acknowledgement; the
 * service's JVM is killed with {@code SIGKILL} while writes are in flight; a new service process opens the
 * replicated store (it becomes the writer and restores the newest committed checkpoint from the cluster; no
 * directory of the dead process is read), and every acknowledged write is there, nothing that was never sent.
 * Removes every process, directory and {@code /dev/shm} file it created.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplicatedKvFailoverTest {
    private static final long WAIT_MS = 90_000;
    private static final int KEYS = 8;
    private static final int WINDOW = 16;

    private final List<Child> children = new ArrayList<>();

    @Test
    void everyAcknowledgedWriteSurvivesKillMinus9OfTheServiceOnAReplicatedGroup() throws Exception {
        String cluster = "kvrepl-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        String members = String.join(",", freeMembers(3));
        Path root = Files.createTempDirectory("aurora4j-kv-replicated-");
        try {
            for (int i = 0; i < 3; i++) {
                children.add(new Child("member " + i, java(ReplicaNode.class.getName(), String.valueOf(i),
                        root.resolve("node" + i).toString(), members, "--cluster-name", cluster,
                        "--heartbeat-timeout-ms", "1000", "--startup-canvass-ms", "2000", "--exit-on-stdin-eof")));
            }
            Child first = startService(cluster, members);
            assertTrue(first.lines.stream().anyMatch(l -> l.startsWith("kv: new group")), String.join("\n", first.lines));

            // Pipelined writes until at least 200 are acknowledged, then SIGKILL with WINDOW writes in flight.
            Map<String, List<String>> sentValues = new HashMap<>(); // per key, every value sent, in order
            Map<String, Integer> ackedIndex = new HashMap<>();      // per key, the index of its last acknowledged value
            long incrsSent = 0;
            long incrsAcked = 0;
            List<String[]> inFlight = new ArrayList<>();
            try (KvConnection c = new KvConnection(first.port)) {
                int n = 0;
                long acked = 0;
                while (acked < 200 || inFlight.size() < WINDOW) {
                    if (inFlight.size() < WINDOW) {
                        String key = "k" + (n % (KEYS + 1));
                        if (n % (KEYS + 1) == KEYS) {
                            c.send("INCR counter");
                            inFlight.add(new String[]{"counter", "OK " + (++incrsSent)});
                        } else {
                            String value = "v" + n;
                            sentValues.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                            c.send("PUT " + key + " " + value);
                            inFlight.add(new String[]{key, "OK " + value});
                        }
                        n++;
                        continue;
                    }
                    String reply = c.readReply();
                    String[] expected = inFlight.remove(0);
                    assertEquals(expected[1], reply, "reply to a write on " + expected[0]);
                    if (expected[0].equals("counter")) {
                        incrsAcked++;
                    } else {
                        ackedIndex.put(expected[0], sentValues.get(expected[0]).indexOf(reply.substring(3)));
                    }
                    acked++;
                }
                first.kill9(); // with WINDOW writes sent and not acknowledged
                for (String reply; (reply = c.readReply()) != null; ) {
                    String[] expected = inFlight.remove(0); // acknowledged in the instant before the kill
                    assertEquals(expected[1], reply);
                    if (expected[0].equals("counter")) {
                        incrsAcked++;
                    } else {
                        ackedIndex.put(expected[0], sentValues.get(expected[0]).indexOf(reply.substring(3)));
                    }
                }
            } catch (IOException reset) {
                // the connection was reset by the kill: what was acknowledged is what was counted
            }

            Child second = startService(cluster, members);
            assertTrue(second.lines.stream().anyMatch(l -> l.startsWith("kv: restored")), String.join("\n", second.lines));
            try (KvConnection c = new KvConnection(second.port)) {
                for (var e : sentValues.entrySet()) {
                    String reply = c.call("GET " + e.getKey());
                    Integer from = ackedIndex.get(e.getKey());
                    List<String> allowed = e.getValue().subList(from == null ? 0 : from, e.getValue().size());
                    if (!reply.startsWith("VALUE ") || !allowed.contains(reply.substring(6))) {
                        fail("GET " + e.getKey() + " after the failover: '" + reply + "', expected one of " + allowed
                                + " (the last acknowledged value or one sent after it)");
                    }
                }
                String counter = c.call("GET counter");
                long restored = Long.parseLong(counter.substring("VALUE ".length()));
                assertTrue(restored >= incrsAcked && restored <= incrsSent,
                        "counter " + restored + " outside [" + incrsAcked + " acknowledged, " + incrsSent + " sent]");
                assertEquals("OK " + (KEYS + 1), c.call("SIZE"), "no invented keys");
                // The new writer goes on: its own writes are acknowledged.
                assertEquals("OK " + (restored + 1), c.call("INCR counter"));
            }
            System.out.println("ReplicatedKvFailoverTest: " + incrsAcked + " of " + incrsSent + " increments acknowledged before"
                    + " kill -9, the new service restored every acknowledged write");
        } finally {
            for (Child c : children) {
                c.stop();
            }
            deleteShm(cluster);
            deleteTree(root);
        }
    }

    private Child startService(String cluster, String members) throws IOException {
        Child c = new Child("kv service", java(ReplicatedKvServer.class.getName(), cluster, members, "0",
                "--heartbeat-timeout-ms", "1000"));
        children.add(c);
        String ready = c.awaitLine("READY", l -> l.startsWith("READY port="));
        c.port = Integer.parseInt(ready.substring("READY port=".length()).split(" ")[0]);
        return c;
    }

    private static List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A child JVM whose output lines are kept. */
    private static final class Child {
        final String name;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        int port;

        Child(String name, List<String> command) throws IOException {
            this.name = name;
            this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
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

        void kill9() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no last checkpoint
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not die after SIGKILL");
            }
        }

        void stop() throws InterruptedException {
            if (!process.isAlive()) {
                return;
            }
            process.destroy(); // SIGTERM: a member closes and removes its /dev/shm directory
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }

        String awaitLine(String what, Predicate<String> p) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (System.nanoTime() < deadline) {
                for (String l : lines) {
                    if (p.test(l)) {
                        return l;
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError(name + " died waiting for " + what + "; output:\n" + String.join("\n", lines));
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            throw new AssertionError("waited " + WAIT_MS + " ms for " + name + ": " + what + "; output:\n" + String.join("\n", lines));
        }
    }

    /** The Aeron directories of the cluster's members and clients ({@code /dev/shm/aurora4j-<cluster>-*}). */
    private static void deleteShm(String cluster) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(shm, "aurora4j-" + cluster + "-*")) {
            for (Path p : ds) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    /** {@code count} members, each with five free UDP and TCP ports in a row on 127.0.0.1. */
    private static String[] freeMembers(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + ThreadLocalRandom.current().nextInt(0, 2_000) * 10;
            if (rangeFree(base, count * 10)) {
                String[] m = new String[count];
                for (int i = 0; i < count; i++) {
                    m[i] = "127.0.0.1:" + (base + 10 * i);
                }
                return m;
            }
        }
        throw new AssertionError("no free range of ports on 127.0.0.1");
    }

    private static boolean rangeFree(int base, int n) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int p = base; p < base + n; p++) {
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, p));
                 ServerSocket s = new ServerSocket(p, 1, lo)) {
                Objects.requireNonNull(d.getLocalAddress());
                Objects.requireNonNull(s.getInetAddress());
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
