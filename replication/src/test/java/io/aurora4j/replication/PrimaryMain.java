package io.aurora4j.replication;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A primary process for {@link MultiProcessKillTest}: opens the replicated store (failover if it holds a group),
 * then forever increments a counter, prints {@code WRITE v} and sends {@code v} through an EXTERNAL
 * {@link Boundary}, whose sink prints {@code ACK v} — the output the primary releases, which the boundary holds
 * until the checkpoint holding {@code v} was committed by the cluster. A flush paces the loop. Prints {@code RESTORED v} after opening and
 * {@code FAILED ...} before exiting when the store fails. Exits when its standard input closes.
 *
 * <p>Arguments: {@code CLUSTER_NAME HOST:PORT,HOST:PORT,HOST:PORT [CLIENT_HOST]} (the address the members reach
 * this process at; {@link PartitionTest} gives the primary's address in its network namespace).
 */
public final class PrimaryMain {
    private PrimaryMain() {
    }

    /** Runs the primary. */
    public static void main(String[] args) throws Exception {
        ReplicationSettings tests = ReplicationSettings.forTests(args[0], args[1].split(","));
        ReplicationSettings settings = args.length < 3 ? tests
                : ReplicationSettings.builder(args[1].split(",")).clusterName(args[0])
                        .leaderHeartbeatTimeout(tests.leaderHeartbeatTimeout())
                        .startupCanvassTimeout(tests.startupCanvassTimeout())
                        .connectTimeout(tests.connectTimeout())
                        .commitTimeout(tests.commitTimeout())
                        .clientHost(args[2]).build();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // EOF: the test is gone
                }
            } catch (java.io.IOException ignored) {
                // as EOF
            }
            Runtime.getRuntime().halt(4);
        });
        ReplicatedStore store = ReplicatedStore.open(settings);
        boolean restore = store.lastDurable().isPresent();
        Group g = restore ? Group.open(store)
                : Group.builder("killed").store(store).checkpointEvery(Duration.ofMillis(10)).open();
        TLong counter = restore ? g.longRef("counter") : g.newLong("counter", 0);
        System.out.println("RESTORED " + counter.get() + " TERM " + store.writerTerm());
        Boundary<Long> released = Boundary.external(g, "acks", v -> System.out.println("ACK " + v));
        try {
            for (;;) {
                long v = counter.add(1);
                System.out.println("WRITE " + v);
                released.send(v);
                released.flush().get(120, TimeUnit.SECONDS);
                Thread.sleep(5);
            }
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            Runtime.getRuntime().halt(3);
        }
    }
}
