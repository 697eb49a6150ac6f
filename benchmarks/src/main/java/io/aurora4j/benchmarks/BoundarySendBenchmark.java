package io.aurora4j.benchmarks;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.jctools.queues.MpscArrayQueue;
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

/**
 * The cost of {@code Boundary.send} on the hot path, beside a plain JCTools {@code MpscArrayQueue.offer}, and
 * the latency from a commit to the sink.
 *
 * <p><b>Send cost</b> (average time, ns/op, lower is better), at 1 and 2 producer threads ({@code t1_*},
 * {@code t2_*}); in every contender a consumer on another thread takes what the producers hand over, so the
 * queue never fills and the producers pay for the cache traffic a real hand-off costs:
 * <ul>
 *   <li>{@code offer} — the baseline: {@code MpscArrayQueue.offer(o)} (capacity 65,536), drained by a
 *       platform thread spinning on {@code poll};
 *   <li>{@code sendOutside} — {@code send(o)} on an {@code EXTERNAL} boundary outside any transaction: room
 *       (one CAS), the group's send gate (two atomic adds on a per-thread stripe), the current epoch, the
 *       queue offer, and a look at the release state; the release task runs on the default virtual threads
 *       and its sink does nothing;
 *   <li>{@code sendImmediate} — the same on an {@code IMMEDIATE} boundary (no gate, no epoch);
 *   <li>{@code sendInTransaction} — {@code group.atomic(() -> boundary.send(o))}: a read-only transaction
 *       that stages the output and hands it over at its commit; compare with {@code emptyTransaction},
 *       {@code group.atomic(() -> {})}, for the part the boundary adds.
 * </ul>
 * {@code maxHeld} is 1,048,576 with {@code BLOCK}, so producers that outrun the releaser wait for it instead
 * of failing.
 *
 * <p><b>Release latency</b> (sample time, µs; read p0.50 and p0.99): {@code latency_t1}/{@code latency_t2}
 * each commit a transaction that writes a {@code TLong} and sends one output, then wait until the sink has
 * it: the figure is commit + release + delivery, which the commit itself (well under a microsecond) barely
 * moves. {@code releaser} = {@code virtual}: the default, a virtual thread per release task;
 * {@code platform}: a single platform thread ({@code Executors.newSingleThreadExecutor()}) given to
 * {@code releaseExecutor}. On a 2-core machine two spinning producers compete with the releaser for the
 * cores, which the t2 figures show.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.BoundarySendBenchmark'}; only the send costs:
 * {@code ./build bench -f 1 'BoundarySendBenchmark.t'}; only the latency:
 * {@code ./build bench -f 1 'BoundarySendBenchmark.latency'}.
 */
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class BoundarySendBenchmark {

    private static final Object OUTPUT = new Object();

    /** The baseline queue with a consumer thread. */
    @State(Scope.Benchmark)
    public static class Queue {
        final MpscArrayQueue<Object> queue = new MpscArrayQueue<>(65_536);
        volatile boolean running = true;
        Thread consumer;
        long consumed;

        @Setup(Level.Trial)
        public void setUp() {
            consumer = Thread.ofPlatform().daemon().start(() -> {
                long n = 0;
                while (running) {
                    if (queue.poll() != null) {
                        n++;
                    } else {
                        Thread.onSpinWait();
                    }
                }
                consumed = n;
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            running = false;
            consumer.join();
        }
    }

    /** A group with an EXTERNAL and an IMMEDIATE boundary whose sinks only count. */
    @State(Scope.Benchmark)
    public static class Boundaries {
        Group group;
        Boundary<Object> external;
        Boundary<Object> immediate;

        @Setup(Level.Trial)
        public void setUp() {
            group = Group.inMemory("send");
            external = Boundary.builder(group, "external").sink(Sink.of(o -> { }))
                    .maxHeld(1 << 20, Boundary.WhenFull.BLOCK).open();
            immediate = Boundary.builder(group, "immediate").mode(Boundary.Mode.IMMEDIATE).sink(Sink.of(o -> { }))
                    .maxHeld(1 << 20, Boundary.WhenFull.BLOCK).open();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            external.flush().join();
            immediate.flush().join();
            if (external.stats().deadLettered() + immediate.stats().deadLettered() != 0) {
                throw new IllegalStateException("outputs were dead-lettered: " + external.stats() + " " + immediate.stats());
            }
            group.close();
        }
    }

    /** A group whose transactions send one output each through a boundary whose sink records per-thread progress. */
    @State(Scope.Benchmark)
    public static class Latency {
        @Param({"virtual", "platform"})
        public String releaser;

        Group group;
        TLong counter;
        Boundary<long[]> boundary;
        ExecutorService platform;
        final AtomicLongArray delivered = new AtomicLongArray(64);
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            group = Group.inMemory("latency");
            counter = group.newLong("counter", 0);
            Boundary.Builder<long[]> b = Boundary.<long[]>builder(group, "out")
                    .sink(Sink.of(o -> delivered.lazySet((int) o[0], o[1])));
            if (releaser.equals("platform")) {
                platform = Executors.newSingleThreadExecutor();
                b.releaseExecutor(platform);
            }
            boundary = b.open();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            boundary.flush().join();
            group.close();
            if (platform != null) {
                platform.shutdown();
            }
        }
    }

    /** Each producer thread's slot in {@link Latency#delivered} and its next sequence number. */
    @State(Scope.Thread)
    public static class Producer {
        int slot;
        long next;

        @Setup(Level.Trial)
        public void setUp(Latency l) {
            slot = l.threads.getAndIncrement();
        }
    }

    // ------------------------------------------------------------------ send cost

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public void t1_offer(Queue q) {
        while (!q.queue.offer(OUTPUT)) {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(2)
    public void t2_offer(Queue q) {
        while (!q.queue.offer(OUTPUT)) {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public void t1_sendOutside(Boundaries b) {
        b.external.send(OUTPUT);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(2)
    public void t2_sendOutside(Boundaries b) {
        b.external.send(OUTPUT);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public void t1_sendImmediate(Boundaries b) {
        b.immediate.send(OUTPUT);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(2)
    public void t2_sendImmediate(Boundaries b) {
        b.immediate.send(OUTPUT);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public void t1_sendInTransaction(Boundaries b) {
        b.group.atomic(() -> b.external.send(OUTPUT));
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Threads(1)
    public void t1_emptyTransaction(Boundaries b) {
        b.group.atomic(() -> { });
    }

    // ------------------------------------------------------------------ release latency

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public long latency_t1(Latency l, Producer p) {
        return commitAndAwait(l, p);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(2)
    public long latency_t2(Latency l, Producer p) {
        return commitAndAwait(l, p);
    }

    private static long commitAndAwait(Latency l, Producer p) {
        long seq = ++p.next;
        long[] output = {p.slot, seq};
        l.group.atomic(() -> {
            l.counter.add(1);
            l.boundary.send(output);
        });
        for (int spins = 0; l.delivered.get(p.slot) < seq; spins++) {
            if (spins < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return seq;
    }
}
