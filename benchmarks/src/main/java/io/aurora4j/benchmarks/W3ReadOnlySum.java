package io.aurora4j.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.multiverse.api.GlobalStmInstance;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import scala.concurrent.stm.InTxn;
import scala.concurrent.stm.TxnUnknown$;
import scala.concurrent.stm.package$;

/**
 * W3: a read-only transaction that sums {@value #READS} random refs (repeats allowed) of {@value #REFS}, on
 * one thread ({@code t1_*}) and on two threads sharing the refs ({@code t2_*}). Nobody writes, so this
 * measures the read path and the cost of starting and finishing a transaction that turns out read-only. The
 * sum is returned to JMH so nothing is dead code; ref {@code i} holds {@code i}, which lets each contender's
 * first sum be checked against plain arithmetic in the setup.
 *
 * <p>Contenders, each a transaction giving a consistent snapshot, in its idiomatic fastest form: Aurora
 * {@code group.atomic(() -> sum)}; ScalaSTM {@code atomic { implicit txn => sum }} with the {@code InTxn}
 * explicit; Clojure {@code (dosync (reduce + (map deref refs)))} as {@code runInTransaction} over
 * {@code deref}; Multiverse with a read-only {@link TxnExecutor} ({@code setReadonly(true)}, as its docs
 * advise for read-only work) and a primitive {@code TxnLongCallable}; H2 MVStore one statement snapshot in a
 * {@code TransactionStore} transaction (see {@link MvTx#sumFromSnapshot}); and one {@link ReentrantLock} around
 * the whole array as the baseline.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.W3ReadOnlySum'} (throughput, ops/µs summed over
 * the threads; higher is better).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class W3ReadOnlySum {
    static final int REFS = 1024;
    static final int READS = 16;

    /** What every contender implements; the setup checks its sum once against plain arithmetic. */
    abstract static class Contender {
        abstract long sum(int[] indices) throws Exception;

        final void selfCheck(String name) throws Exception {
            int[] indices = new int[READS];
            long expected = 0;
            for (int i = 0; i < READS; i++) {
                indices[i] = (i * 67) % REFS;
                expected += indices[i];
            }
            Check.equal(name, expected, sum(indices));
        }
    }

    @State(Scope.Benchmark)
    public static class Aurora extends Contender {
        Group group;
        final TLong[] refs = new TLong[REFS];

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            group = Group.inMemory("w3");
            for (int i = 0; i < REFS; i++) {
                refs[i] = group.newLong("r" + i, i);
            }
            selfCheck("aurora");
        }

        @Override
        long sum(int[] indices) {
            return group.atomic(() -> {
                long sum = 0;
                for (int i : indices) {
                    sum += refs[i].get();
                }
                return sum;
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @State(Scope.Benchmark)
    public static class ScalaStm extends Contender {
        @SuppressWarnings({"unchecked", "rawtypes"})   // no generic array creation in Java
        final scala.concurrent.stm.Ref<Object>[] refs = new scala.concurrent.stm.Ref[REFS];

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            for (int i = 0; i < REFS; i++) {
                refs[i] = scala.concurrent.stm.Ref$.MODULE$.apply((long) i);
            }
            selfCheck("scalastm");
        }

        @Override
        long sum(int[] indices) {
            return package$.MODULE$.atomic().apply((InTxn txn) -> {
                long sum = 0;
                for (int i : indices) {
                    sum += (Long) refs[i].get(txn);
                }
                return sum;
            }, TxnUnknown$.MODULE$);
        }
    }

    @State(Scope.Benchmark)
    public static class Clojure extends Contender {
        final Ref[] refs = new Ref[REFS];

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            for (int i = 0; i < REFS; i++) {
                refs[i] = new Ref((long) i);
            }
            selfCheck("clojure");
        }

        @Override
        long sum(int[] indices) throws Exception {
            return (Long) LockingTransaction.runInTransaction(() -> {
                long sum = 0;
                for (int i : indices) {
                    sum += (Long) refs[i].deref();
                }
                return sum;
            });
        }
    }

    @State(Scope.Benchmark)
    public static class Multiverse extends Contender {
        final TxnLong[] refs = new TxnLong[REFS];
        final TxnExecutor readOnly = GlobalStmInstance.getGlobalStmInstance()
                .newTxnFactoryBuilder().setReadonly(true).newTxnExecutor();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            for (int i = 0; i < REFS; i++) {
                refs[i] = StmUtils.newTxnLong(i);
            }
            selfCheck("multiverse");
        }

        @Override
        long sum(int[] indices) {
            return readOnly.execute((TxnLongCallable) txn -> {
                long sum = 0;
                for (int i : indices) {
                    sum += refs[i].get(txn);
                }
                return sum;
            });
        }
    }

    @State(Scope.Benchmark)
    public static class MvStore extends Contender {
        MvTx db;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            db = new MvTx("w3", REFS, 0);
            db.run(map -> {
                for (int i = 0; i < REFS; i++) {
                    map.put(i, (long) i);
                }
                return 0;
            });
            selfCheck("mvstore");
        }

        @Override
        long sum(int[] indices) {
            return db.sumFromSnapshot(indices);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            db.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Locked extends Contender {
        final ReentrantLock lock = new ReentrantLock();
        final long[] values = new long[REFS];

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            for (int i = 0; i < REFS; i++) {
                values[i] = i;
            }
            selfCheck("lock");
        }

        @Override
        long sum(int[] indices) {
            lock.lock();
            try {
                long sum = 0;
                for (int i : indices) {
                    sum += values[i];
                }
                return sum;
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- one thread ----

    @Benchmark @Threads(1)
    public long t1_aurora(Aurora s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(1)
    public long t1_scalastm(ScalaStm s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(1)
    public long t1_clojure(Clojure s, PerThread r) throws Exception {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(1)
    public long t1_multiverse(Multiverse s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(1)
    public long t1_mvstore(MvStore s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(1)
    public long t1_lock(Locked s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    // ---- two threads on the same refs ----

    @Benchmark @Threads(2)
    public long t2_aurora(Aurora s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(2)
    public long t2_scalastm(ScalaStm s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(2)
    public long t2_clojure(Clojure s, PerThread r) throws Exception {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(2)
    public long t2_multiverse(Multiverse s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(2)
    public long t2_mvstore(MvStore s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }

    @Benchmark @Threads(2)
    public long t2_lock(Locked s, PerThread r) {
        return s.sum(r.fill(r.indices, REFS));
    }
}
