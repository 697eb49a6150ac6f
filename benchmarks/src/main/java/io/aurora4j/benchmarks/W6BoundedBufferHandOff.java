package io.aurora4j.benchmarks;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.aurora4j.txn.TLong;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;
import scala.concurrent.stm.InTxn;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.TxnUnknown$;
import scala.concurrent.stm.package$;

/**
 * W6: a producer/consumer hand-off through a bounded buffer of {@value #CAPACITY} slots, one producer thread and one
 * consumer thread (a JMH group per contender). The STM buffers are a ring of long refs with a {@code head} and a
 * {@code tail} counter: {@code put} reads both and, when the ring is full, blocks in the STM's {@code retry} until
 * the consumer moves {@code head}; {@code take} blocks while {@code head == tail}. Contenders: Aurora
 * ({@code group.retry()} in {@code group.atomic}), ScalaSTM ({@code retryFor} in {@code atomic}), Multiverse
 * ({@code StmUtils.retry()} in a {@code TxnExecutor}) and {@link ArrayBlockingQueue} ({@code offer}/{@code poll}).
 *
 * <p>A blocked operation would never return once the other side has stopped at the end of an iteration, so each
 * buffer has a {@code stop} ref that both operations read in their transaction: the first side to see
 * {@link Control#stopMeasurement} sets it (a write that wakes the other side's {@code retry}) and both return
 * without moving an item until the next iteration resets it. The STMs thus use their plain {@code retry}, no timeout;
 * {@link ArrayBlockingQueue} uses {@code offer}/{@code poll} with a {@value #WAIT_MILLIS} ms timeout and re-checks
 * {@code stopMeasurement} (in steady state the timeouts never fire). The teardown checks that every item produced was
 * taken once or is still in the buffer.
 *
 * <p>Throughput mode reports each side's ops/µs and the group's sum (a hand-off is one put and one take); sample
 * mode reports each operation's time, which includes the time it spent blocked (the hand-off latency seen by each
 * side). Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.W6BoundedBufferHandOff'}.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class W6BoundedBufferHandOff {
    static final int CAPACITY = 16;
    static final long WAIT_MILLIS = 1;
    /** What a blocked operation returns once the other side has stopped for the iteration. */
    static final long STOPPED = -1;

    /** What each side counted, checked at teardown against what is left in the buffer. */
    abstract static class Tally {
        long produced; // the producer thread's
        long producedSum;
        long consumedSum; // the consumer thread's

        void check(String contender, long leftSum) {
            Check.equal(contender, producedSum, consumedSum + leftSum);
        }
    }

    // ------------------------------------------------------------------ Aurora4j

    @State(Scope.Group)
    public static class Aurora extends Tally {
        io.aurora4j.txn.Group group;
        TLong head;
        TLong tail;
        TLong stop;
        final TLong[] slots = new TLong[CAPACITY];

        @Setup(Level.Trial)
        public void setUp() {
            group = io.aurora4j.txn.Group.inMemory("w6");
            head = group.newLong("head", 0);
            tail = group.newLong("tail", 0);
            stop = group.newLong("stop", 0);
            for (int i = 0; i < CAPACITY; i++) {
                slots[i] = group.newLong("slot" + i, 0);
            }
        }

        @Setup(Level.Iteration)
        public void go() {
            stop.set(0);
        }

        long put(long v) {
            return group.atomic(() -> {
                if (stop.get() != 0) {
                    return STOPPED;
                }
                long t = tail.get();
                if (t - head.get() == CAPACITY) {
                    group.retry();
                }
                slots[(int) (t % CAPACITY)].set(v);
                tail.set(t + 1);
                return v;
            });
        }

        long take() {
            return group.atomic(() -> {
                if (stop.get() != 0) {
                    return STOPPED;
                }
                long h = head.get();
                if (h == tail.get()) {
                    group.retry();
                }
                head.set(h + 1);
                return slots[(int) (h % CAPACITY)].get();
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long left = 0;
            for (long h = head.get(); h < tail.get(); h++) {
                left += slots[(int) (h % CAPACITY)].get();
            }
            check("aurora", left);
            group.close();
        }
    }

    @Benchmark
    @Group("aurora")
    @GroupThreads(1)
    public void aurora_put(Aurora s, Control c) {
        if (c.stopMeasurement) {
            s.stop.set(1);
            return;
        }
        long v = s.produced + 1;
        if (s.put(v) != STOPPED) {
            s.produced = v;
            s.producedSum += v;
        }
    }

    @Benchmark
    @Group("aurora")
    @GroupThreads(1)
    public long aurora_take(Aurora s, Control c) {
        if (c.stopMeasurement) {
            s.stop.set(1);
            return 0;
        }
        long v = s.take();
        if (v != STOPPED) {
            s.consumedSum += v;
        }
        return v;
    }

    // ------------------------------------------------------------------ ScalaSTM

    @State(Scope.Group)
    public static class ScalaStm extends Tally {
        final Ref<Object> head = newRef(0L);
        final Ref<Object> tail = newRef(0L);
        final Ref<Object> stop = newRef(0L);
        @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
        final Ref<Object>[] slots = new Ref[CAPACITY];

        static Ref<Object> newRef(long v) {
            return scala.concurrent.stm.Ref$.MODULE$.apply(v); // Ref(long), boxed as W2 uses it
        }

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < CAPACITY; i++) {
                slots[i] = newRef(0L);
            }
        }

        @Setup(Level.Iteration)
        public void go() {
            stop.single().set(0L);
        }

        long put(long v) {
            return (Long) package$.MODULE$.atomic().apply((InTxn txn) -> {
                if ((Long) stop.get(txn) != 0) {
                    return STOPPED;
                }
                long t = (Long) tail.get(txn);
                if (t - (Long) head.get(txn) == CAPACITY) {
                    package$.MODULE$.retry(txn);
                }
                slots[(int) (t % CAPACITY)].set(v, txn);
                tail.set(t + 1, txn);
                return v;
            }, TxnUnknown$.MODULE$);
        }

        long take() {
            return (Long) package$.MODULE$.atomic().apply((InTxn txn) -> {
                if ((Long) stop.get(txn) != 0) {
                    return STOPPED;
                }
                long h = (Long) head.get(txn);
                if (h == (Long) tail.get(txn)) {
                    package$.MODULE$.retry(txn);
                }
                head.set(h + 1, txn);
                return slots[(int) (h % CAPACITY)].get(txn);
            }, TxnUnknown$.MODULE$);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long left = 0;
            for (long h = (Long) head.single().get(); h < (Long) tail.single().get(); h++) {
                left += (Long) slots[(int) (h % CAPACITY)].single().get();
            }
            check("scalastm", left);
        }
    }

    @Benchmark
    @Group("scalastm")
    @GroupThreads(1)
    public void scalastm_put(ScalaStm s, Control c) {
        if (c.stopMeasurement) {
            s.stop.single().set(1L);
            return;
        }
        long v = s.produced + 1;
        if (s.put(v) != STOPPED) {
            s.produced = v;
            s.producedSum += v;
        }
    }

    @Benchmark
    @Group("scalastm")
    @GroupThreads(1)
    public long scalastm_take(ScalaStm s, Control c) {
        if (c.stopMeasurement) {
            s.stop.single().set(1L);
            return 0;
        }
        long v = s.take();
        if (v != STOPPED) {
            s.consumedSum += v;
        }
        return v;
    }

    // ------------------------------------------------------------------ Multiverse

    @State(Scope.Group)
    public static class Multiverse extends Tally {
        final TxnLong head = StmUtils.newTxnLong(0);
        final TxnLong tail = StmUtils.newTxnLong(0);
        final TxnLong stop = StmUtils.newTxnLong(0);
        final TxnLong[] slots = new TxnLong[CAPACITY];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < CAPACITY; i++) {
                slots[i] = StmUtils.newTxnLong(0);
            }
        }

        @Setup(Level.Iteration)
        public void go() {
            stop.atomicSet(0);
        }

        long put(long v) {
            return StmUtils.atomic((TxnLongCallable) txn -> {
                if (stop.get(txn) != 0) {
                    return STOPPED;
                }
                long t = tail.get(txn);
                if (t - head.get(txn) == CAPACITY) {
                    StmUtils.retry();
                }
                slots[(int) (t % CAPACITY)].set(txn, v);
                tail.set(txn, t + 1);
                return v;
            });
        }

        long take() {
            return StmUtils.atomic((TxnLongCallable) txn -> {
                if (stop.get(txn) != 0) {
                    return STOPPED;
                }
                long h = head.get(txn);
                if (h == tail.get(txn)) {
                    StmUtils.retry();
                }
                head.set(txn, h + 1);
                return slots[(int) (h % CAPACITY)].get(txn);
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long left = 0;
            for (long h = head.atomicGet(); h < tail.atomicGet(); h++) {
                left += slots[(int) (h % CAPACITY)].atomicGet();
            }
            check("multiverse", left);
        }
    }

    @Benchmark
    @Group("multiverse")
    @GroupThreads(1)
    public void multiverse_put(Multiverse s, Control c) {
        if (c.stopMeasurement) {
            s.stop.atomicSet(1);
            return;
        }
        long v = s.produced + 1;
        if (s.put(v) != STOPPED) {
            s.produced = v;
            s.producedSum += v;
        }
    }

    @Benchmark
    @Group("multiverse")
    @GroupThreads(1)
    public long multiverse_take(Multiverse s, Control c) {
        if (c.stopMeasurement) {
            s.stop.atomicSet(1);
            return 0;
        }
        long v = s.take();
        if (v != STOPPED) {
            s.consumedSum += v;
        }
        return v;
    }

    // ------------------------------------------------------------------ ArrayBlockingQueue

    @State(Scope.Group)
    public static class Queue extends Tally {
        final ArrayBlockingQueue<Long> queue = new ArrayBlockingQueue<>(CAPACITY);

        @TearDown(Level.Trial)
        public void tearDown() {
            long left = 0;
            for (Long v : queue) {
                left += v;
            }
            check("abq", left);
        }
    }

    @Benchmark
    @Group("abq")
    @GroupThreads(1)
    public void abq_put(Queue s, Control c) throws InterruptedException {
        long v = s.produced + 1;
        while (!s.queue.offer(v, WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            if (c.stopMeasurement) {
                return;
            }
        }
        s.produced = v;
        s.producedSum += v;
    }

    @Benchmark
    @Group("abq")
    @GroupThreads(1)
    public long abq_take(Queue s, Control c) throws InterruptedException {
        Long v;
        while ((v = s.queue.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS)) == null) {
            if (c.stopMeasurement) {
                return 0;
            }
        }
        s.consumedSum += v;
        return v;
    }
}
