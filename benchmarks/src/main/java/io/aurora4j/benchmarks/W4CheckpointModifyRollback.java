package io.aurora4j.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;
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
import scala.concurrent.stm.InTxn;
import scala.concurrent.stm.TxnUnknown$;
import scala.concurrent.stm.package$;

/**
 * W4: checkpoint, modify {@code k} of {@value #OBJECTS} objects, roll back — for {@code k} = 1, 100 and
 * 10,000 — on one thread. The question is whether the cost grows with {@code k} (what changed) and not with
 * the 1,000,000 objects that exist.
 *
 * <p><b>Shape, the same for every contender:</b> one transaction increments {@code k} distinct random
 * objects (each read, then written), and the state is then returned to what it was before. The {@code k}
 * indices are a window of a random permutation of all objects, at a random offset drawn per invocation, so
 * they are distinct and scattered and drawing them costs the same for everyone.
 * <ul>
 *   <li>{@code aurora} — {@code cp = group.checkpoint()}; {@code group.atomic(...)} writing {@code k} TLongs
 *       (committed); {@code group.rollback(cp)};
 *   <li>{@code scalastm}, {@code clojure}, {@code multiverse} — have no checkpoints, so they emulate one with
 *       an aborted transaction: the body writes the {@code k} refs and then throws ({@link Abort}), which
 *       makes each STM discard its write set. This is cheaper than what Aurora does (nothing is ever
 *       committed, and no other thread could observe the writes) — it is the closest thing they offer;
 *   <li>{@code mvstore} — an in-memory {@link MVStore} with an {@code MVMap<Integer, Long>} of 1,000,000
 *       entries: {@code store.commit()}, {@code v = store.getCurrentVersion()}, {@code k} puts,
 *       {@code store.rollbackTo(v)} ({@code commit()} returns -1, not a version, when there is nothing to
 *       commit — as here after the previous rollback — so the version is read separately);
 *   <li>{@code undologFields} — the baseline of the target ("a hand-written undo log over plain fields"):
 *       1,000,000 heap objects with a plain {@code long} field, an undo array of (object, old value);
 *   <li>{@code undolog} — the same over a plain {@code long[]} (a lower bound: no object per value),
 *       the "checkpoint" empties an undo array of (index, old value) pairs, each write first appends the old
 *       value, and the rollback writes the old values back, newest first;
 *   <li>{@code floorAuroraReads}, {@code floorPlainReads} — not contenders: the same {@code k} scattered objects
 *       of {@code aurora} and of {@code undologFields} read once each and nothing else, the cost of visiting them.
 * </ul>
 * All 1,000,000 objects are created once per trial (fork). The teardown checks that every contender's
 * objects all hold their initial value again, so a rollback that restores nothing cannot pass.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.W4CheckpointModifyRollback'} (average time per
 * checkpoint-modify-rollback, µs; lower is better). One value of {@code k}: add {@code -p k=10000}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class W4CheckpointModifyRollback {
    static final int OBJECTS = 1_000_000;
    static final long INITIAL = 7;

    /** {@code k} and the permutation the {@code k} indices are windows of. */
    @State(Scope.Benchmark)
    public static class Batch {
        @Param({"1", "100", "10000"})
        public int k;

        final int[] permutation = new int[OBJECTS];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < OBJECTS; i++) {
                permutation[i] = i;
            }
            SplittableRandom random = new SplittableRandom(42);
            for (int i = OBJECTS - 1; i > 0; i--) {   // Fisher-Yates
                int j = random.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
        }

        /** The start of this invocation's window: {@code permutation[from .. from + k)}. */
        int from(PerThread r) {
            return r.next(OBJECTS - k + 1);
        }
    }

    @State(Scope.Benchmark)
    public static class Aurora {
        Group group;
        final TLong[] objects = new TLong[OBJECTS];

        @Setup(Level.Trial)
        public void setUp() {
            // Only the live checkpoint matters here; history is not what W4 measures.
            group = Group.builder("w4").retainCheckpoints(1).open();
            for (int i = 0; i < OBJECTS; i++) {
                objects[i] = group.newLong("o" + i, INITIAL);
            }
        }

        Object run(int[] permutation, int from, int k) {
            var checkpoint = group.checkpoint();
            group.atomic(() -> {
                for (int j = from; j < from + k; j++) {
                    TLong o = objects[permutation[j]];
                    o.set(o.get() + 1);
                }
            });
            return group.rollback(checkpoint);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int i = 0; i < OBJECTS; i++) {
                Check.equal("aurora", i, INITIAL, objects[i].get());
            }
            group.close();
        }
    }

    @State(Scope.Benchmark)
    public static class ScalaStm {
        @SuppressWarnings({"unchecked", "rawtypes"})   // no generic array creation in Java
        final scala.concurrent.stm.Ref<Object>[] objects = new scala.concurrent.stm.Ref[OBJECTS];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < OBJECTS; i++) {
                objects[i] = scala.concurrent.stm.Ref$.MODULE$.apply(INITIAL);
            }
        }

        void run(int[] permutation, int from, int k) {
            try {
                package$.MODULE$.atomic().apply((InTxn txn) -> {
                    for (int j = from; j < from + k; j++) {
                        scala.concurrent.stm.Ref<Object> o = objects[permutation[j]];
                        o.set((Long) o.get(txn) + 1, txn);
                    }
                    throw Abort.INSTANCE;   // ScalaSTM rolls the transaction back and rethrows
                }, TxnUnknown$.MODULE$);
            } catch (Abort expected) {
                // rolled back
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int i = 0; i < OBJECTS; i++) {
                Check.equal("scalastm", i, INITIAL, (Long) objects[i].single().get());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Clojure {
        final Ref[] objects = new Ref[OBJECTS];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < OBJECTS; i++) {
                objects[i] = new Ref(INITIAL);
            }
        }

        void run(int[] permutation, int from, int k) throws Exception {
            try {
                LockingTransaction.runInTransaction(() -> {
                    for (int j = from; j < from + k; j++) {
                        Ref o = objects[permutation[j]];
                        o.set((Long) o.deref() + 1);
                    }
                    throw Abort.INSTANCE;   // the transaction is stopped, its in-transaction values dropped
                });
            } catch (Abort expected) {
                // rolled back
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int i = 0; i < OBJECTS; i++) {
                Check.equal("clojure", i, INITIAL, (Long) objects[i].deref());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Multiverse {
        final TxnLong[] objects = new TxnLong[OBJECTS];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < OBJECTS; i++) {
                objects[i] = StmUtils.newTxnLong(INITIAL);
            }
        }

        void run(int[] permutation, int from, int k) {
            try {
                StmUtils.atomic((TxnVoidCallable) txn -> {
                    for (int j = from; j < from + k; j++) {
                        TxnLong o = objects[permutation[j]];
                        o.set(txn, o.get(txn) + 1);
                    }
                    throw Abort.INSTANCE;   // Multiverse aborts the transaction and rethrows
                });
            } catch (Abort expected) {
                // rolled back
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int i = 0; i < OBJECTS; i++) {
                Check.equal("multiverse", i, INITIAL, objects[i].atomicGet());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class MvStore {
        MVStore store;
        MVMap<Integer, Long> map;

        @Setup(Level.Trial)
        public void setUp() {
            store = new MVStore.Builder().autoCommitDisabled().open();   // no file name: in memory
            map = store.openMap("w4");
            for (int i = 0; i < OBJECTS; i++) {
                map.put(i, INITIAL);
            }
            store.commit();
        }

        void run(int[] permutation, int from, int k) {
            store.commit();                              // returns -1 when nothing changed, so ask for the version
            long version = store.getCurrentVersion();
            for (int j = from; j < from + k; j++) {
                Integer key = permutation[j];
                map.put(key, map.get(key) + 1);
            }
            store.rollbackTo(version);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int i = 0; i < OBJECTS; i++) {
                Check.equal("mvstore", i, INITIAL, map.get(i));
            }
            store.close();
        }
    }

    @State(Scope.Benchmark)
    public static class UndoLog {
        final long[] objects = new long[OBJECTS];
        /** The undo array: (index, old value) pairs, sized for the largest k. */
        final int[] undoIndex = new int[10_000];
        final long[] undoOld = new long[10_000];
        int undoSize;

        @Setup(Level.Trial)
        public void setUp() {
            java.util.Arrays.fill(objects, INITIAL);
        }

        void run(int[] permutation, int from, int k) {
            undoSize = 0;                                   // checkpoint
            for (int j = from; j < from + k; j++) {         // modify, logging each old value first
                int i = permutation[j];
                long old = objects[i];
                undoIndex[undoSize] = i;
                undoOld[undoSize] = old;
                undoSize++;
                objects[i] = old + 1;
            }
            for (int n = undoSize - 1; n >= 0; n--) {       // roll back, newest first
                objects[undoIndex[n]] = undoOld[n];
            }
            undoSize = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int i = 0; i < OBJECTS; i++) {
                Check.equal("undolog", i, INITIAL, objects[i]);
            }
        }
    }

    /**
     * The "hand-written undo log over plain fields" of the target, with the same data layout as the
     * contenders: 1,000,000 heap objects each holding a plain {@code long} field (allocated in one go, like
     * the TLongs), and an undo array of (object, old value) pairs.
     */
    @State(Scope.Benchmark)
    public static class UndoLogFields {
        static final class Field {
            long value = INITIAL;
        }

        final Field[] objects = new Field[OBJECTS];
        final Field[] undoObject = new Field[10_000];
        final long[] undoOld = new long[10_000];
        int undoSize;

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < OBJECTS; i++) {
                objects[i] = new Field();
            }
        }

        void run(int[] permutation, int from, int k) {
            undoSize = 0;                                   // checkpoint
            for (int j = from; j < from + k; j++) {         // modify, logging each old value first
                Field f = objects[permutation[j]];
                long old = f.value;
                undoObject[undoSize] = f;
                undoOld[undoSize] = old;
                undoSize++;
                f.value = old + 1;
            }
            for (int n = undoSize - 1; n >= 0; n--) {       // roll back, newest first
                undoObject[n].value = undoOld[n];
                undoObject[n] = null;
            }
            undoSize = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (int i = 0; i < OBJECTS; i++) {
                Check.equal("undologFields", i, INITIAL, objects[i].value);
            }
        }
    }

    @Benchmark
    public Object aurora(Aurora s, Batch b, PerThread r) {
        return s.run(b.permutation, b.from(r), b.k);
    }

    @Benchmark
    public void scalastm(ScalaStm s, Batch b, PerThread r) {
        s.run(b.permutation, b.from(r), b.k);
    }

    @Benchmark
    public void clojure(Clojure s, Batch b, PerThread r) throws Exception {
        s.run(b.permutation, b.from(r), b.k);
    }

    @Benchmark
    public void multiverse(Multiverse s, Batch b, PerThread r) {
        s.run(b.permutation, b.from(r), b.k);
    }

    @Benchmark
    public void mvstore(MvStore s, Batch b, PerThread r) {
        s.run(b.permutation, b.from(r), b.k);
    }

    @Benchmark
    public long[] undolog(UndoLog s, Batch b, PerThread r) {
        s.run(b.permutation, b.from(r), b.k);
        return s.objects;
    }

    @Benchmark
    public Object undologFields(UndoLogFields s, Batch b, PerThread r) {
        s.run(b.permutation, b.from(r), b.k);
        return s;
    }

    /**
     * Not a contender, a floor: the {@code k} TLongs of an {@code aurora} invocation read once each, outside any
     * transaction (seqlock reads), nothing written. What visiting Aurora's scattered boxes costs, whatever is done
     * with them; {@code aurora} visits each several times (read, lock, write-back, unlock, rollback).
     */
    @Benchmark
    public long floorAuroraReads(Aurora s, Batch b, PerThread r) {
        int from = b.from(r);
        long sum = 0;
        for (int j = from; j < from + b.k; j++) {
            sum += s.objects[b.permutation[j]].get();
        }
        return sum;
    }

    /** Not a contender, a floor: the {@code k} objects of an {@code undologFields} invocation read once each. */
    @Benchmark
    public long floorPlainReads(UndoLogFields s, Batch b, PerThread r) {
        int from = b.from(r);
        long sum = 0;
        for (int j = from; j < from + b.k; j++) {
            sum += s.objects[b.permutation[j]].value;
        }
        return sum;
    }
}
