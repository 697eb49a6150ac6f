package io.aurora4j.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.h2.mvstore.tx.TransactionMap;
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
import scala.concurrent.stm.InTxn;
import scala.concurrent.stm.TxnUnknown$;
import scala.concurrent.stm.package$;

/**
 * W2: a transfer between two distinct random refs of {@value #REFS}: read both balances, write {@code a - 1}
 * and {@code b + 1}, in one transaction. Methods {@code t1_*} run on one thread, {@code t2_*} on two threads
 * sharing the same refs (state {@code Scope.Benchmark}), so the result table lists every contender at one
 * thread, then every contender at two.
 *
 * <p>The indices are drawn from a per-thread {@link PerThread} before the transaction starts. Every
 * contender does the same reads and writes in its idiomatic form: Aurora {@code get}/{@code set} inside
 * {@code group.atomic}; ScalaSTM {@code atomic { implicit txn => ... }} with the {@code InTxn} passed
 * explicitly; Clojure {@code deref}/{@code ref-set} in {@code LockingTransaction.runInTransaction};
 * Multiverse {@code get(txn)}/{@code set(txn, v)} in {@code StmUtils.atomic}; H2 MVStore a
 * {@code TransactionStore} transaction that locks both rows ({@code SELECT ... FOR UPDATE}, lower key first so
 * that two transfers never deadlock) then puts both; and the baseline, one {@link ReentrantLock} around the
 * whole array. The teardown checks that the total balance is unchanged (no lost or torn update).
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.W2Transfer'} (throughput, ops/µs summed over the
 * threads; higher is better).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class W2Transfer {
    static final int REFS = 1024;
    static final long INITIAL = 1_000;
    static final long TOTAL = REFS * INITIAL;

    @State(Scope.Benchmark)
    public static class Aurora {
        Group group;
        final TLong[] refs = new TLong[REFS];

        @Setup(Level.Trial)
        public void setUp() {
            group = Group.inMemory("w2");
            for (int i = 0; i < REFS; i++) {
                refs[i] = group.newLong("r" + i, INITIAL);
            }
        }

        void transfer(PerThread r) {
            int from = r.next(REFS);
            TLong a = refs[from];
            TLong b = refs[r.nextOther(REFS, from)];
            group.atomic(() -> {
                a.set(a.get() - 1);
                b.set(b.get() + 1);
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long total = 0;
            for (TLong ref : refs) {
                total += ref.get();
            }
            Check.equal("aurora", TOTAL, total);
            group.close();
        }
    }

    @State(Scope.Benchmark)
    public static class ScalaStm {
        @SuppressWarnings({"unchecked", "rawtypes"})   // no generic array creation in Java
        final scala.concurrent.stm.Ref<Object>[] refs = new scala.concurrent.stm.Ref[REFS];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < REFS; i++) {
                refs[i] = scala.concurrent.stm.Ref$.MODULE$.apply(INITIAL);
            }
        }

        void transfer(PerThread r) {
            int from = r.next(REFS);
            scala.concurrent.stm.Ref<Object> a = refs[from];
            scala.concurrent.stm.Ref<Object> b = refs[r.nextOther(REFS, from)];
            package$.MODULE$.atomic().apply((InTxn txn) -> {
                a.set((Long) a.get(txn) - 1, txn);
                b.set((Long) b.get(txn) + 1, txn);
                return null;
            }, TxnUnknown$.MODULE$);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long total = 0;
            for (scala.concurrent.stm.Ref<Object> ref : refs) {
                total += (Long) ref.single().get();
            }
            Check.equal("scalastm", TOTAL, total);
        }
    }

    @State(Scope.Benchmark)
    public static class Clojure {
        final Ref[] refs = new Ref[REFS];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < REFS; i++) {
                refs[i] = new Ref(INITIAL);
            }
        }

        void transfer(PerThread r) throws Exception {
            int from = r.next(REFS);
            Ref a = refs[from];
            Ref b = refs[r.nextOther(REFS, from)];
            LockingTransaction.runInTransaction(() -> {
                a.set((Long) a.deref() - 1);
                return b.set((Long) b.deref() + 1);
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long total = 0;
            for (Ref ref : refs) {
                total += (Long) ref.deref();
            }
            Check.equal("clojure", TOTAL, total);
        }
    }

    @State(Scope.Benchmark)
    public static class Multiverse {
        final TxnLong[] refs = new TxnLong[REFS];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < REFS; i++) {
                refs[i] = StmUtils.newTxnLong(INITIAL);
            }
        }

        void transfer(PerThread r) {
            int from = r.next(REFS);
            TxnLong a = refs[from];
            TxnLong b = refs[r.nextOther(REFS, from)];
            StmUtils.atomic(txn -> {
                a.set(txn, a.get(txn) - 1);
                b.set(txn, b.get(txn) + 1);
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long total = 0;
            for (TxnLong ref : refs) {
                total += ref.atomicGet();
            }
            Check.equal("multiverse", TOTAL, total);
        }
    }

    @State(Scope.Benchmark)
    public static class MvStore {
        MvTx db;

        @Setup(Level.Trial)
        public void setUp() {
            db = new MvTx("w2", REFS, INITIAL);
        }

        void transfer(PerThread r) {
            int from = r.next(REFS);
            int to = r.nextOther(REFS, from);
            int first = Math.min(from, to);
            int second = Math.max(from, to);
            long delta = from < to ? -1 : 1;   // applied to the lower key, its opposite to the higher one
            db.run((TransactionMap<Integer, Long> map) -> {
                long x = map.lock(first);        // row locks in key order: two transfers never deadlock
                long y = map.lock(second);
                map.put(first, x + delta);
                map.put(second, y - delta);
                return x;
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long total = 0;
            for (int i = 0; i < REFS; i++) {
                total += db.committed(i);
            }
            Check.equal("mvstore", TOTAL, total);
            db.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Locked {
        final ReentrantLock lock = new ReentrantLock();
        final long[] balances = new long[REFS];

        @Setup(Level.Trial)
        public void setUp() {
            java.util.Arrays.fill(balances, INITIAL);
        }

        void transfer(PerThread r) {
            int from = r.next(REFS);
            int to = r.nextOther(REFS, from);
            lock.lock();
            try {
                balances[from] -= 1;
                balances[to] += 1;
            } finally {
                lock.unlock();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            long total = 0;
            for (long b : balances) {
                total += b;
            }
            Check.equal("lock", TOTAL, total);
        }
    }

    // ---- one thread ----

    @Benchmark @Threads(1)
    public void t1_aurora(Aurora s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(1)
    public void t1_scalastm(ScalaStm s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(1)
    public void t1_clojure(Clojure s, PerThread r) throws Exception {
        s.transfer(r);
    }

    @Benchmark @Threads(1)
    public void t1_multiverse(Multiverse s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(1)
    public void t1_mvstore(MvStore s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(1)
    public void t1_lock(Locked s, PerThread r) {
        s.transfer(r);
    }

    // ---- two threads on the same refs ----

    @Benchmark @Threads(2)
    public void t2_aurora(Aurora s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(2)
    public void t2_scalastm(ScalaStm s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(2)
    public void t2_clojure(Clojure s, PerThread r) throws Exception {
        s.transfer(r);
    }

    @Benchmark @Threads(2)
    public void t2_multiverse(Multiverse s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(2)
    public void t2_mvstore(MvStore s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(2)
    public void t2_lock(Locked s, PerThread r) {
        s.transfer(r);
    }
}
