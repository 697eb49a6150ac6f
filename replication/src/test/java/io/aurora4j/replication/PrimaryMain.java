package io.aurora4j.replication;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A primary process for {@link MultiProcessKillTest}: opens the replicated store (failover if it holds a group),
 * then forever increments a counter, prints {@code WRITE v} and sends {@code v} through an EXTERNAL
 * {@link Boundary}, whose sink prints {@code ACK v} — the output the primary releases, which the boundary holds
 * until the checkpoint holding {@code v} was committed by the cluster. A flush paces the loop. Prints {@code RESTORED v} after opening and
 * {@code FAILED ...} before exiting when the store fails. Exits when its standard input closes.
 *
 * <p>Live migration ({@link MultiProcessKillTest}'s hand-over): with {@code --wait-go} as its last argument it
 * starts its JVM but opens the store only when the line {@code GO} arrives on its standard input, and prints
 * {@code FIRST_COMMIT v t} (t: {@link System#nanoTime}, CLOCK_MONOTONIC, comparable between processes of one
 * machine) at its first release. The line {@code HANDOVER} makes it stop sending, take a last barrier and print
 * {@code HANDED_OVER v t}; the line {@code TRY} then makes it send once more and print {@code REFUSED <causes>}
 * or {@code COMMITTED v}, then close its group.
 *
 * <p>Arguments: {@code CLUSTER_NAME HOST:PORT,HOST:PORT,HOST:PORT [CLIENT_HOST]} (the address the members reach
 * this process at; {@link PartitionTest} gives the primary's address in its network namespace).
 */
public final class PrimaryMain {
    private PrimaryMain() {
    }

    /** Runs the primary. */
    public static void main(String[] args) throws Exception {
        boolean waitGo = args[args.length - 1].equals("--wait-go");
        if (waitGo) {
            args = java.util.Arrays.copyOf(args, args.length - 1);
        }
        ReplicationSettings tests = ReplicationSettings.forTests(args[0], args[1].split(","));
        ReplicationSettings settings = args.length < 3 ? tests
                : ReplicationSettings.builder(args[1].split(",")).clusterName(args[0])
                        .leaderHeartbeatTimeout(tests.leaderHeartbeatTimeout())
                        .startupCanvassTimeout(tests.startupCanvassTimeout())
                        .connectTimeout(tests.connectTimeout())
                        .commitTimeout(tests.commitTimeout())
                        .clientHost(args[2]).build();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch handOver = new CountDownLatch(1);
        CountDownLatch tryAgain = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    switch (l.trim()) {
                        case "GO" -> go.countDown();
                        case "HANDOVER" -> handOver.countDown();
                        case "TRY" -> tryAgain.countDown();
                        default -> {
                        }
                    }
                }
            } catch (java.io.IOException ignored) {
                // as EOF: the test is gone
            }
            Runtime.getRuntime().halt(4);
        });
        if (waitGo) {
            System.out.println("WAITING");
            go.await();
        }
        ReplicatedStore store = ReplicatedStore.open(settings);
        boolean restore = store.lastDurable().isPresent();
        Group g = restore ? Group.open(store)
                : Group.builder("killed").store(store).checkpointEvery(Duration.ofMillis(10)).open();
        TLong counter = restore ? g.longRef("counter") : g.newLong("counter", 0);
        System.out.println("RESTORED " + counter.get() + " TERM " + store.writerTerm());
        AtomicBoolean first = new AtomicBoolean(waitGo);
        Boundary<Long> released = Boundary.external(g, "acks", v -> {
            if (first.getAndSet(false)) {
                System.out.println("FIRST_COMMIT " + v + " " + System.nanoTime());
            }
            System.out.println("ACK " + v);
        });
        try {
            while (handOver.getCount() > 0) {
                long v = counter.add(1);
                System.out.println("WRITE " + v);
                released.send(v);
                released.flush().get(120, TimeUnit.SECONDS);
                Thread.sleep(5);
            }
            g.barrier().get(120, TimeUnit.SECONDS);
            System.out.println("HANDED_OVER " + counter.get() + " " + System.nanoTime());
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            Runtime.getRuntime().halt(3);
        }
        tryAgain.await();
        try {
            long v = counter.add(1);
            System.out.println("WRITE " + v);
            released.send(v);
            released.flush().get(120, TimeUnit.SECONDS);
            System.out.println("COMMITTED " + v);
        } catch (Exception e) {
            StringBuilder causes = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                causes.append(' ').append(t.getClass().getSimpleName());
            }
            System.out.println("REFUSED" + causes);
        }
        try {
            g.close();
        } catch (RuntimeException e) {
            System.out.println("CLOSE " + e); // a fenced group's close may report its failed store
        }
        System.out.println("CLOSED");
        Runtime.getRuntime().halt(0);
    }
}
