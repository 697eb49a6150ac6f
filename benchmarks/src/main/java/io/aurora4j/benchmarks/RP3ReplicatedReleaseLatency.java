package io.aurora4j.benchmarks;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.replication.ReplicatedStore;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * RP3 (issue 12): release latency of an {@code EXTERNAL} output in a replicated group checkpointing every 10 ms
 * (100 Hz): {@link D3OutputReleaseLatency}'s {@code release}, with the group on a {@link ReplicatedStore} of three
 * members in this JVM (127.0.0.1) instead of a directory store. {@code group.atomic(() -> { x.add(1);
 * out.send(output); })}, then the benchmark thread parks until the sink has the output, which the boundary
 * releases only once the checkpoint holding the commit was committed by the cluster (a majority has it). Sample
 * time, ms (read p0.50 and p0.99); {@code arrival} as in D3 ({@code closed}: next operation right after delivery;
 * {@code uniform}: an unmeasured 0–10 ms pause first). Compare with D3's figures (directory store) in the
 * README.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.RP3'} (about 1 minute).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@Threads(1)
public class RP3ReplicatedReleaseLatency {
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** A replicated group checkpointing every 10 ms, one TLong, one EXTERNAL boundary whose sink wakes the waiter. */
    @State(Scope.Thread)
    public static class Released {
        @Param({"closed", "uniform"})
        public String arrival;

        ReplicaClusters cluster;
        Group group;
        TLong x;
        Boundary<Long> out;
        volatile long delivered;
        volatile Thread waiter;
        long next;
        final SplittableRandom rnd = new SplittableRandom(12);

        @Setup(Level.Trial)
        public void setUp() {
            cluster = new ReplicaClusters("rp3", false);
            try {
                group = Group.builder("rp3").store(ReplicatedStore.open(cluster.settings))
                        .checkpointEvery(Duration.ofNanos(PERIOD_NANOS)).open();
                x = group.newLong("x", 0);
                out = Boundary.<Long>builder(group, "out").sink(Sink.of(o -> {
                    delivered = o;
                    LockSupport.unpark(waiter);
                })).open();
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }

        @Setup(Level.Iteration)
        public void setWaiter() {
            waiter = Thread.currentThread();
        }

        @Setup(Level.Invocation)
        public void arrive() {
            if (arrival.equals("uniform")) {
                LockSupport.parkNanos(rnd.nextLong(PERIOD_NANOS));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (group != null) {
                    out.flush().join();
                    if (x.get() != next || delivered != next) {
                        throw new IllegalStateException("sent " + next + ", committed " + x.get() + ", delivered " + delivered);
                    }
                    group.close();
                }
            } finally {
                cluster.close();
            }
        }
    }

    @Benchmark
    public long release(Released s) {
        long seq = ++s.next;
        s.group.atomic(() -> {
            s.x.add(1);
            s.out.send(seq);
        });
        while (s.delivered < seq) {
            LockSupport.parkNanos(1_000_000); // the sink unparks us; the timeout only guards a lost wake-up
        }
        return seq;
    }
}
