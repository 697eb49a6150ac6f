package io.aurora4j.examples.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Invariants 5 and 7 end to end, against {@code kill -9}: the key-value service runs in a child JVM on a store
 * directory; clients in this JVM (the oracle lives here, outside the process that crashes) pipeline writes and
 * record every acknowledgement; the child is killed with {@code SIGKILL} ({@link Process#destroyForcibly()}) at a
 * random instant; a new child recovers the directory, and the state it serves must contain every acknowledged
 * write and nothing that was never written; now and then a child is also killed during its start-up (JVM start,
 * recovery, first checkpoint). Repeated {@value #DEFAULT_KILLS} times (system property
 * {@code kv.crash.kills}), with a seeded {@link Random} (property {@code kv.crash.seed}; the seed is printed).
 *
 * <p>The oracle, per key (each key is written by one client only, so its writes are in one order):
 * <ul>
 *   <li>a {@code PUT} key holds, after recovery, the value of its last acknowledged write or of a write sent after
 *       it (sent but not acknowledged: it may or may not have become durable); if no write of this life was
 *       acknowledged, the value verified after the previous recovery may also remain;</li>
 *   <li>a counter holds at least the previous value plus the acknowledged increments, at most plus the sent ones,
 *       and each acknowledgement carries exactly the previous value plus its rank (no increment lost or doubled);</li>
 *   <li>{@code SIZE} counts exactly the keys the oracle knows to exist: no invented keys.</li>
 * </ul>
 * A kill of the child's JVM loses no page-cache data, so this does not test {@code fsync} (the store's own
 * fault-injection tests do); it tests that no acknowledgement leaves before the state it reports is written and
 * committed, and that recovery restores exactly a committed checkpoint.
 *
 * <p>Robust on a loaded machine: every wait has a deadline, the child is waited for by its {@code READY} line, and
 * the kill instant is random rather than a correctness condition.
 */
class KvCrashLoopTest {
    static final int DEFAULT_KILLS = 50;
    private static final int CLIENTS = 2;
    private static final int KEYS_PER_CLIENT = 6;
    private static final int WINDOW = 16; // commands in flight per client
    private static final long STEP_DEADLINE_SECONDS = 60;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void everyAcknowledgedWriteSurvivesKillMinus9(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("kv.crash.seed", System.nanoTime());
        int kills = Integer.getInteger("kv.crash.kills", DEFAULT_KILLS);
        System.out.println("KvCrashLoopTest: seed " + seed + " (-Dkv.crash.seed=" + seed + " to repeat), " + kills + " kills");
        Random random = new Random(seed);
        Oracle oracle = new Oracle();
        long started = System.nanoTime();
        long acknowledged = 0;
        long sent = 0;
        int startupKills = 0;
        for (int life = 0; life <= kills; life++) {
            if (life > 0 && random.nextInt(8) == 0) {
                // Now and then a kill while the child starts: during JVM start-up, recovery or its first checkpoint.
                Child.killDuringStartup(dir, random.nextInt(400));
                startupKills++;
            }
            try (Child child = Child.start(dir)) {
                oracle.verify(child.port, "after " + life + " kill(s), seed " + seed + "\n" + child.output());
                if (life == kills) {
                    break;
                }
                List<Client> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    clients.add(new Client(c, life, oracle, new Random(random.nextLong()), child.port));
                }
                clients.forEach(Client::start);
                // The kill instant: after a random time, sometimes right away (before any acknowledgement).
                long delayMicros = random.nextInt(10) == 0 ? 0 : random.nextInt(250_000);
                TimeUnit.MICROSECONDS.sleep(delayMicros);
                child.kill();
                for (Client client : clients) {
                    client.join();
                    acknowledged += client.acked;
                    sent += client.sent;
                }
                oracle.endOfLife(clients);
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("KvCrashLoopTest: " + kills + " kills under load and " + startupKills + " during start-up in "
                + millis + " ms; " + sent + " writes sent, "
                + acknowledged + " acknowledged, every acknowledged write recovered");
        assertTrue(acknowledged > 0, "no write was ever acknowledged: the test checked nothing");
    }

    // ================================================================== the oracle

    /** What the state may be: per key, the values it may hold. Single-threaded (between lives). */
    private static final class Oracle {
        /** The value each key was verified to hold after the last recovery (absent: no such key). */
        private final Map<String, String> verified = new HashMap<>();
        /** Per key of the life that just ended: the values that may have become durable, oldest first. */
        private final Map<String, List<String>> candidates = new HashMap<>();

        List<String> keys() {
            List<String> keys = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                for (int k = 0; k < KEYS_PER_CLIENT; k++) {
                    keys.add(putKey(c, k));
                }
                keys.add(counterKey(c));
            }
            return keys;
        }

        long counter(int client) {
            String v = verified.get(counterKey(client));
            return v == null ? 0 : Long.parseLong(v);
        }

        String value(String key) {
            return verified.get(key);
        }

        /** A client's life ended: what each of its keys may hold now. */
        void endOfLife(List<Client> clients) {
            candidates.clear();
            for (Client c : clients) {
                // PUT keys: the last acknowledged value or any later one; with none acknowledged, the old one too.
                Map<String, List<String>> writes = new HashMap<>();
                Map<String, Integer> lastAcked = new HashMap<>();
                for (int i = 0; i < c.commands.size(); i++) {
                    Command cmd = c.commands.get(i);
                    if (cmd.counter) {
                        continue;
                    }
                    List<String> w = writes.computeIfAbsent(cmd.key, k -> new ArrayList<>());
                    w.add(cmd.value);
                    if (i < c.acked) {
                        lastAcked.put(cmd.key, w.size() - 1);
                    }
                }
                for (var e : writes.entrySet()) {
                    List<String> allowed = new ArrayList<>();
                    Integer from = lastAcked.get(e.getKey());
                    if (from == null) {
                        allowed.add(verified.get(e.getKey())); // may be null: absent
                        allowed.addAll(e.getValue());
                    } else {
                        allowed.addAll(e.getValue().subList(from, e.getValue().size()));
                    }
                    candidates.put(e.getKey(), allowed);
                }
                // The counter: between the acknowledged and the sent increments.
                long base = counter(c.id);
                long incrs = c.commands.stream().filter(x -> x.counter).count();
                long ackedIncrs = c.commands.subList(0, c.acked).stream().filter(x -> x.counter).count();
                List<String> allowed = new ArrayList<>();
                if (ackedIncrs == 0) {
                    allowed.add(verified.get(counterKey(c.id))); // none of this life's increments is durable (null: absent)
                }
                for (long v = base + Math.max(ackedIncrs, 1); v <= base + incrs; v++) {
                    allowed.add(Long.toString(v));
                }
                candidates.put(counterKey(c.id), allowed);
            }
        }

        /** Reads every key from a freshly recovered server and checks it against what may be there. */
        void verify(int port, String context) throws IOException {
            List<String> keys = keys();
            Map<String, String> now = new HashMap<>();
            long size;
            try (KvConnection c = new KvConnection(port)) {
                for (String k : keys) {
                    c.send("GET " + k);
                }
                c.send("SIZE");
                for (String k : keys) {
                    String reply = c.readReply();
                    if (reply == null) {
                        fail("the recovered server closed the connection; " + context);
                    }
                    if (reply.startsWith("VALUE ")) {
                        now.put(k, reply.substring(6));
                    } else if (!reply.equals("NIL")) {
                        fail("GET " + k + " answered '" + reply + "'; " + context);
                    }
                }
                String sizeReply = Objects.requireNonNull(c.readReply(), "no reply to SIZE");
                size = Long.parseLong(sizeReply.substring(3));
            }
            for (String k : keys) {
                String value = now.get(k);
                List<String> allowed = candidates.get(k);
                if (allowed == null) { // not written in the last life
                    assertEquals(verified.get(k), value, "key " + k + " changed although nobody wrote it; " + context);
                } else if (!allowed.contains(value)) {
                    fail("key " + k + " recovered as " + value + ", but only " + allowed + " are possible (an acknowledged"
                            + " write was lost, or a value was invented); " + context);
                }
            }
            assertEquals(now.size(), size, "SIZE counts keys nobody wrote; " + context);
            verified.clear();
            verified.putAll(now);
            candidates.clear();
        }
    }

    static String putKey(int client, int k) {
        return "c" + client + "-k" + k;
    }

    static String counterKey(int client) {
        return "c" + client + "-n";
    }

    private record Command(String key, String value, boolean counter) {
        String line() {
            return counter ? "INCR " + key : "PUT " + key + " " + value;
        }
    }

    // ================================================================== a client

    /**
     * Pipelines random writes (at most {@link #WINDOW} in flight) until the server dies, and records how many
     * were acknowledged: replies come in command order, so the acknowledged writes are a prefix. Checks every
     * counter acknowledgement on the spot.
     */
    private static final class Client {
        final int id;
        final List<Command> commands = new ArrayList<>();
        int sent;
        int acked;
        private final int life;
        private final Oracle oracle;
        private final Random random;
        private final int port;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private Thread thread;

        Client(int id, int life, Oracle oracle, Random random, int port) {
            this.id = id;
            this.life = life;
            this.oracle = oracle;
            this.random = random;
            this.port = port;
        }

        void start() {
            thread = Thread.ofPlatform().name("kv-client-" + id).start(() -> {
                try {
                    run();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        }

        void join() throws Exception {
            try {
                done.get(STEP_DEADLINE_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                thread.interrupt();
                throw new AssertionError("client " + id + " did not notice the server's death in time", e);
            } catch (ExecutionException e) {
                throw new AssertionError("client " + id + " failed", e.getCause());
            }
        }

        private void run() throws IOException {
            long counter = oracle.counter(id);
            ArrayDeque<Command> inFlight = new ArrayDeque<>();
            try (KvConnection c = new KvConnection(port)) {
                for (int n = 0; ; n++) {
                    if (inFlight.size() < WINDOW) {
                        Command cmd = random.nextInt(3) == 0
                                ? new Command(counterKey(id), null, true)
                                : new Command(putKey(id, random.nextInt(KEYS_PER_CLIENT)), "l" + life + "-c" + id + "-" + n, false);
                        commands.add(cmd); // before sending: a write the server may have seen is a candidate
                        try {
                            c.send(cmd.line());
                        } catch (IOException dead) {
                            return;
                        }
                        sent++;
                        inFlight.add(cmd);
                        continue;
                    }
                    String reply;
                    try {
                        reply = c.readReply();
                    } catch (IOException dead) {
                        return;
                    }
                    if (reply == null) {
                        return; // killed: what was acknowledged is the prefix counted so far
                    }
                    Command cmd = inFlight.poll();
                    String expected = cmd.counter ? "OK " + (++counter) : "OK " + cmd.value;
                    if (!reply.equals(expected)) {
                        throw new AssertionError("client " + id + " sent '" + cmd.line() + "' and got '" + reply
                                + "', expected '" + expected + "'");
                    }
                    acked++;
                }
            } catch (IOException connectFailed) {
                // killed before this client connected: nothing sent, nothing acknowledged
            }
        }
    }

    // ================================================================== the child JVM

    /** The service in a child JVM: started on the test's class path, ready once it prints its READY line. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final int port;
        private final StringBuilder output;

        private Child(Process process, int port, StringBuilder output) {
            this.process = process;
            this.port = port;
            this.output = output;
        }

        private static Process launch(Path dir, boolean readOutput) throws IOException {
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = List.of(java,
                    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", // Agrona's buffers
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", // a small, quick-starting JVM
                    "-cp", System.getProperty("java.class.path"),
                    KvServer.class.getName(), dir.toString(), "0");
            ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
            if (!readOutput) {
                b.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            return b.start();
        }

        /** Starts a child and kills it {@code afterMillis} later, whatever it is doing by then. */
        static void killDuringStartup(Path dir, int afterMillis) throws Exception {
            Process p = launch(dir, false);
            TimeUnit.MILLISECONDS.sleep(afterMillis); // the instant is random, not a correctness condition
            p.destroyForcibly();
            if (!p.waitFor(STEP_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the kv child did not die after SIGKILL");
            }
        }

        static Child start(Path dir) throws Exception {
            Process p = launch(dir, true);
            StringBuilder output = new StringBuilder();
            CompletableFuture<Integer> ready = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("kv-child-output").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (output) { // no blocking call inside
                            if (output.length() < 20_000) {
                                output.append(line).append('\n');
                            }
                        }
                        if (line.startsWith("READY port=")) {
                            ready.complete(Integer.parseInt(line.substring("READY port=".length()).split(" ")[0]));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    ready.completeExceptionally(e);
                }
                ready.completeExceptionally(new IllegalStateException("the child ended without a READY line"));
            });
            try {
                return new Child(p, ready.get(STEP_DEADLINE_SECONDS, TimeUnit.SECONDS), output);
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
                p.waitFor(STEP_DEADLINE_SECONDS, TimeUnit.SECONDS);
                synchronized (output) {
                    throw new AssertionError("the kv child did not start: " + e + "\n--- its output ---\n" + output, e);
                }
            }
        }

        String output() {
            synchronized (output) {
                return "--- child output ---\n" + output;
            }
        }

        /** SIGKILL on Linux and macOS: no shutdown hook, no last checkpoint. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(STEP_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the kv child did not die after SIGKILL");
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                kill();
            }
        }
    }
}
