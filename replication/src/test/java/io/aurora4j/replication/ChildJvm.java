package io.aurora4j.replication;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One job: a member or client JVM that a multi-process test launches with the test classpath, whose output lines
 * are kept for the test's oracle, and which the test kills ({@code SIGKILL}) or stops ({@code SIGTERM}, then
 * {@code SIGKILL} after 20 s). Shared by {@link MultiProcessKillTest} and {@link PartitionTest}; each test keeps
 * every child it starts in a list and {@link #stop()}s all of them in its {@code finally}, then removes its
 * directories and {@code /dev/shm} files ({@link LocalCluster#deleteShm}, {@link LocalCluster#deleteTree}).
 * Not thread-safe, except {@link #lines}, which its reader thread appends to while the test reads it.
 */
final class ChildJvm {
    final String name;
    final Process process;
    /** Every line the child printed (stdout and stderr), in order; appended by a daemon reader thread. */
    final List<String> lines = new CopyOnWriteArrayList<>();

    /** Starts {@code command} (stderr merged into stdout) and a daemon thread that keeps its output lines. */
    ChildJvm(String name, List<String> command) throws IOException {
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

    /**
     * The command line of a JVM running {@code mainClass} with this test JVM's classpath (surefire's test
     * classpath when forked), small and quick to start; the caller appends the main class's arguments.
     */
    static List<String> java(String mainClass) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, mainClass));
        return cmd;
    }

    /**
     * The arguments of {@link ReplicaNode} for member {@code i} of {@code members} with its directory below
     * {@code root}: a 1 s heartbeat timeout, a 2 s start-up canvass, and exit when its stdin closes (so a child
     * whose test JVM died does not outlive it).
     */
    static List<String> memberArgs(int i, Path root, String[] members, String clusterName) {
        return List.of(String.valueOf(i), root.resolve("node" + i).toString(), String.join(",", members),
                "--cluster-name", clusterName, "--heartbeat-timeout-ms", "1000", "--startup-canvass-ms", "2000",
                "--exit-on-stdin-eof");
    }

    /** Writes one line to the child's standard input. */
    void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** SIGKILL, and waits up to 30 s for the process to be gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (a clean close), then SIGKILL if it has not exited within 20 s. */
    void stop() throws InterruptedException {
        process.destroy(); // SIGTERM: a clean close
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            kill9();
        }
    }

    /** Whether the latest {@code ROLE} line this member printed says it is the cluster's leader. */
    boolean leads() {
        String last = null;
        for (String l : lines) {
            if (l.startsWith("ROLE ")) {
                last = l;
            }
        }
        return last != null && last.endsWith(" LEADER");
    }

    /** The first line matching {@code p}, waited for up to {@link LocalCluster#WAIT_MS}; fails at once if the child died. */
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
