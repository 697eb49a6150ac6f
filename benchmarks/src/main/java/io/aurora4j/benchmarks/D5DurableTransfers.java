package io.aurora4j.benchmarks;

import io.aurora4j.store.Store;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * D5: what durability costs the transactions. W2's transfer (two distinct random {@code TLong}s of
 * {@value #REFS}, read both, write both, one transaction) in a group that is {@code memory} (no store: W2 itself)
 * or {@code durable} (a directory store, {@code checkpointEvery(10 ms)}: the flusher takes a checkpoint every
 * period, drains the commit gate — commits arriving during the drain wait and re-run — reads the dirty boxes as
 * of the cut and writes them with one forced write). With 1,024 refs every period dirties most of them, so each
 * flush writes about 1,024 values. {@code t1}: one thread, {@code t2}: two threads on the same refs (on a 2-core
 * machine they share the cores with the flusher). The teardown checks the total and, for the durable group, that
 * a last barrier succeeds.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.D5DurableTransfers'} (ops/µs summed over threads;
 * higher is better). Data directories as the other D benchmarks ({@code -Daurora4j.bench.dir}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class D5DurableTransfers {
    static final int REFS = 1024;
    static final long INITIAL = 1_000;

    @State(Scope.Benchmark)
    public static class Bank {
        @Param({"memory", "durable"})
        public String group;

        Group g;
        Path dir;
        final TLong[] refs = new TLong[REFS];

        @Setup(Level.Trial)
        public void setUp() {
            if (group.equals("durable")) {
                dir = DurableDirs.create("d5");
                g = Group.builder("d5").store(Store.directory(dir)).checkpointEvery(Duration.ofMillis(10)).open();
            } else {
                g = Group.inMemory("d5");
            }
            for (int i = 0; i < REFS; i++) {
                refs[i] = g.newLong("r" + i, INITIAL);
            }
        }

        void transfer(PerThread r) {
            int from = r.next(REFS);
            TLong a = refs[from];
            TLong b = refs[r.nextOther(REFS, from)];
            g.atomic(() -> {
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
            Check.equal("d5 " + group, REFS * INITIAL, total);
            if (g.isDurable()) {
                g.barrier().join(); // the store is still healthy after the run
            }
            g.close();
            DurableDirs.delete(dir);
        }
    }

    @Benchmark @Threads(1)
    public void t1(Bank s, PerThread r) {
        s.transfer(r);
    }

    @Benchmark @Threads(2)
    public void t2(Bank s, PerThread r) {
        s.transfer(r);
    }
}
