package io.aurora4j.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.multiverse.api.StmUtils;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import scala.concurrent.stm.TxnUnknown$;
import scala.concurrent.stm.package$;

/**
 * W1: one transaction that increments one ref, on one thread — the fixed cost of a transaction.
 *
 * <p>Each contender in its idiomatic fastest correct form, each a real transaction:
 * <ul>
 *   <li>{@code aurora} — {@code group.atomic(() -> { ref.add(1); })};
 *   <li>{@code scalastm} — {@code atomic { implicit txn => ref() = ref() + 1 }} written from Java: the
 *       {@code InTxn} is passed explicitly, as Scala code does, instead of the {@code japi} facade's
 *       thread-local look-up; the ref is {@code Ref(0L)} (ScalaSTM's long-specialised ref);
 *   <li>{@code clojure} — {@code (dosync (alter r inc))}: {@code LockingTransaction.runInTransaction} with
 *       {@code r.set(r.deref() + 1)}, which is what {@code alter} does;
 *   <li>{@code multiverse} — {@code StmUtils.atomic(txn -> ref.increment(txn))} (Multiverse implements
 *       {@code increment} as a commuting operation);
 *   <li>{@code mvstore} — an H2 {@link org.h2.mvstore.tx.TransactionStore} transaction: lock the row, put
 *       the incremented value, commit;
 *   <li>{@code lock} — the baseline: a {@link ReentrantLock} around {@code value++}.
 * </ul>
 * Every teardown checks that the final value equals the number of increments the fork performed.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.W1SingleRefIncrement'} (throughput, ops/µs;
 * higher is better).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
public class W1SingleRefIncrement {

    /** What every contender's state has: the number of increments this fork made, for the teardown check. */
    abstract static class Counted {
        long ops;

        /** With more than one thread (a {@code -t} override) {@code ops} is racy, so the check is skipped. */
        static boolean checkable(BenchmarkParams params) {
            return params.getThreads() == 1;
        }
    }

    @State(Scope.Benchmark)
    public static class Aurora extends Counted {
        Group group;
        TLong ref;

        @Setup(Level.Trial)
        public void setUp() {
            group = Group.inMemory("w1");
            ref = group.newLong("r0", 0);
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams params) {
            if (checkable(params)) {
                Check.equal("aurora", ops, ref.get());
            }
            group.close();
        }
    }

    @State(Scope.Benchmark)
    public static class ScalaStm extends Counted {
        scala.concurrent.stm.Ref<Object> ref;

        @Setup(Level.Trial)
        public void setUp() {
            ref = scala.concurrent.stm.Ref$.MODULE$.apply(0L);
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams params) {
            if (checkable(params)) {
                Check.equal("scalastm", ops, (Long) ref.single().get());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Clojure extends Counted {
        Ref ref;

        @Setup(Level.Trial)
        public void setUp() {
            ref = new Ref(0L);
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams params) {
            if (checkable(params)) {
                Check.equal("clojure", ops, (Long) ref.deref());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Multiverse extends Counted {
        TxnLong ref;

        @Setup(Level.Trial)
        public void setUp() {
            ref = StmUtils.newTxnLong(0);
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams params) {
            if (checkable(params)) {
                Check.equal("multiverse", ops, ref.atomicGet());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class MvStore extends Counted {
        MvTx db;

        @Setup(Level.Trial)
        public void setUp() {
            db = new MvTx("w1", 1, 0);
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams params) {
            if (checkable(params)) {
                Check.equal("mvstore", ops, db.committed(0));
            }
            db.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Locked extends Counted {
        final ReentrantLock lock = new ReentrantLock();
        long value;

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams params) {
            if (checkable(params)) {
                Check.equal("lock", ops, value);
            }
        }
    }

    @Benchmark
    public void aurora(Aurora s) {
        TLong ref = s.ref;
        s.group.atomic(() -> {
            ref.add(1);
        });
        s.ops++;
    }

    @Benchmark
    public void scalastm(ScalaStm s) {
        scala.concurrent.stm.Ref<Object> ref = s.ref;
        package$.MODULE$.atomic().apply(txn -> {
            ref.set((Long) ref.get(txn) + 1, txn);
            return null;
        }, TxnUnknown$.MODULE$);
        s.ops++;
    }

    @Benchmark
    public void clojure(Clojure s) throws Exception {
        Ref ref = s.ref;
        LockingTransaction.runInTransaction(() -> ref.set((Long) ref.deref() + 1));
        s.ops++;
    }

    @Benchmark
    public void multiverse(Multiverse s) {
        TxnLong ref = s.ref;
        StmUtils.atomic(txn -> {
            ref.increment(txn);
        });
        s.ops++;
    }

    @Benchmark
    public void mvstore(MvStore s) {
        s.db.run(map -> {
            long v = map.lock(0) + 1;
            map.put(0, v);
            return v;
        });
        s.ops++;
    }

    @Benchmark
    public void lock(Locked s) {
        s.lock.lock();
        try {
            s.value++;
        } finally {
            s.lock.unlock();
        }
        s.ops++;
    }
}
