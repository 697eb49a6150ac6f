package io.aurora4j.benchmarks;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.store.Store;
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

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * D3: output release latency in a durable group — from the commit that sends an output through an
 * {@code EXTERNAL} boundary to the sink receiving it, which happens only once the checkpoint holding that
 * commit is on disk. The group checkpoints every 10 ms ({@code checkpointEvery(Duration.ofMillis(10))}, the
 * paper's 100 Hz) to {@code Store.directory} under {@code java.io.tmpdir} (or {@code -Daurora4j.bench.dir}).
 *
 * <ul>
 *   <li>{@code release} (sample time, ms; read p0.50 and p0.99): {@code group.atomic(() -> { x.add(1);
 *       out.send(output); })}, then the benchmark thread parks until the sink (default release executor) has
 *       recorded the output and unparked it. {@code arrival = closed}: the next operation starts as soon as the
 *       previous output arrived, so commits fall at the same phase of the flusher's period each time (just
 *       after a flush: the worst phase); {@code arrival = uniform}: an unmeasured pause drawn uniformly from
 *       0–10 ms before each operation, so commits fall at any phase of the period, as independent requests do.
 *       At each iteration's end the sink's own view (delivery time minus the send time it carries, without the
 *       benchmark thread's wake-up) is printed as {@code sink-side p50/p99}.</li>
 *   <li>{@code smallForcedWrite} (sample time, ms): a 256-byte append to a plain file with a {@code FileChannel}
 *       and {@code force(true)}, on the same file system in the same run — one small forced write, what a
 *       checkpoint of one changed {@code TLong} costs the disk, to state the target's bound.</li>
 * </ul>
 *
 * <p>Target (issue 6): p99 of {@code release} ≤ the period (10 ms) + 2 × {@code smallForcedWrite}.
 *
 * <p>Warm-up: 4 iterations of 2 s (each operation takes milliseconds; 1,000+ operations compile the path).
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.D3OutputReleaseLatency'} (ms, sampled).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
@Threads(1)
public class D3OutputReleaseLatency {
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** A durable group checkpointing every 10 ms, one TLong, one EXTERNAL boundary whose sink records arrivals. */
    @State(Scope.Thread)
    public static class Released {
        @Param({"closed", "uniform"})
        public String arrival;

        Path dir;
        Group group;
        TLong x;
        Boundary<long[]> out;
        volatile long delivered;
        volatile Thread waiter;
        long next;
        final SplittableRandom rnd = new SplittableRandom(10);
        /** Sink-side latencies (ns) of the current iteration; written by the one release task at a time. */
        final long[] sinkSide = new long[1 << 16];
        volatile int sinkCount;

        @Setup(Level.Trial)
        public void setUp() {
            dir = DurableDirs.create("d3");
            group = Group.builder("d3").store(Store.directory(dir)).checkpointEvery(Duration.ofNanos(PERIOD_NANOS)).open();
            x = group.newLong("x", 0);
            out = Boundary.<long[]>builder(group, "out").sink(Sink.of(o -> {
                long latency = System.nanoTime() - o[1];
                int n = sinkCount;
                if (n < sinkSide.length) {
                    sinkSide[n] = latency;
                    sinkCount = n + 1;
                }
                delivered = o[0];
                LockSupport.unpark(waiter);
            })).open();
            waiter = Thread.currentThread();
        }

        @Setup(Level.Iteration)
        public void resetSinkSide() {
            waiter = Thread.currentThread();
            sinkCount = 0;
        }

        @Setup(Level.Invocation)
        public void arrive() {
            if (arrival.equals("uniform")) {
                LockSupport.parkNanos(rnd.nextLong(PERIOD_NANOS));
            }
        }

        @TearDown(Level.Iteration)
        public void printSinkSide() {
            int n = Math.min(sinkCount, sinkSide.length);
            if (n == 0) {
                return;
            }
            long[] sorted = Arrays.copyOf(sinkSide, n);
            Arrays.sort(sorted);
            System.out.printf("sink-side (commit to sink, %d outputs): p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", n,
                    sorted[n / 2] / 1e6, sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6, sorted[n - 1] / 1e6);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                out.flush().join();
                long sent = next;
                long got = x.get();
                if (got != sent || delivered != sent) {
                    throw new IllegalStateException("sent " + sent + ", committed " + got + ", delivered " + delivered);
                }
                group.close();
            } finally {
                DurableDirs.delete(dir);
            }
        }
    }

    /** A plain file for the small forced writes. */
    @State(Scope.Thread)
    public static class SmallWrites {
        Path dir;
        DurableDirs.AppendFiles file;

        @Setup(Level.Trial)
        public void setUp() {
            dir = DurableDirs.create("d3-force");
            file = new DurableDirs.AppendFiles(dir);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                file.close();
            } finally {
                DurableDirs.delete(dir);
            }
        }
    }

    @Benchmark
    public long release(Released s) {
        long seq = ++s.next;
        long[] output = {seq, System.nanoTime()};
        s.group.atomic(() -> {
            s.x.add(1);
            s.out.send(output);
        });
        while (s.delivered < seq) {
            LockSupport.parkNanos(1_000_000); // the sink unparks us; the timeout only guards a lost wake-up
        }
        return seq;
    }

    @Benchmark
    public void smallForcedWrite(SmallWrites w) throws IOException {
        w.file.appendSmallAndForce(256);
    }
}
