package io.aurora4j.benchmarks;

import io.aurora4j.store.Store;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * D1: sustained checkpoint rate of a durable group — how many checkpoints a second reach the disk when each
 * one carries {@code mib} MiB of dirty region pages (1, 16 or 64 MiB). One operation dirties {@code mib} MiB
 * of a 256 MiB {@link Region} (4 KiB pages; one {@code putLong} into every page of a contiguous window of
 * {@code mib} MiB starting at a random page, wrapping at the end, so which pages changes from operation to
 * operation) and then calls {@code group.barrier().join()} in a group opened with
 * {@code checkpointEvery(Duration.ZERO)}: the barrier takes the checkpoint and writes it on the calling thread
 * (the changed pages through the store's 1 MiB buffer, one {@code fsync}), so ops/s is the sustainable
 * checkpoint rate at that much dirty data, and the secondary result {@code writtenMiB} is the same in MiB/s of
 * dirty pages (record headers, about 30 bytes a page, and full checkpoints not counted: useful bandwidth).
 *
 * <p>The store is {@code Store.directoryBuilder(dir).retainCheckpoints(retain)} under {@code java.io.tmpdir}
 * (or {@code -Daurora4j.bench.dir}). Sustained means with the store's space reclamation: the store's cleaning
 * copies the still-live pages of its oldest segments forward inside incremental checkpoints (at most half a
 * checkpoint's bytes each; about 0.13 MiB copied per MiB dirtied at {@code retain = 16}, 0.25 at
 * {@code retain = 1}), and old segments are deleted once the oldest retained checkpoint passes the copies; the
 * group writes a full checkpoint (256 MiB) only if {@code Store.suggestFull} says cleaning fell behind, which
 * this workload does not cause. {@code retain = 16} is the store's default; {@code retain = 1} lets segments go
 * at once. Because of those cycles (dozens of checkpoints long) the measured iterations are 10 s long. The trial's set-up fills the region and writes
 * the first (full) checkpoint, unmeasured; its tear-down closes the group and deletes the directory.
 *
 * <p>Target (issue 6): ≥ 100 checkpoints/s with 16 MiB dirty (the paper checkpoints at 100 Hz). The disk's
 * own bandwidth for the same bytes is {@link D2FlushBandwidth}, to be run in the same invocation.
 *
 * <p>Warm-up: 3 iterations of 2 s rather than 8 of 1 s — each operation is milliseconds of disk I/O, not a
 * JIT-bound micro-operation (the code path is compiled within the first few hundred checkpoints), and a longer
 * warm-up only writes more gigabytes to a shared disk.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.D[12]'} (D1 with its disk baseline D2; ops/s and
 * MiB/s, higher is better); D1 alone: {@code ./build bench -f 1 'io.aurora4j.benchmarks.D1CheckpointRate'}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "-XX:MaxDirectMemorySize=8g", "-Xmx4g"})
@Threads(1)
public class D1CheckpointRate {

    /** A durable group (no periodic checkpoints) holding one filled region, and where to dirty it next. */
    @State(Scope.Thread)
    public static class DurableRegion {
        @Param({"1", "16", "64"})
        public int mib;

        @Param({"256m"})
        public String region;

        /** The store's {@code retainCheckpoints}: 16 is the directory store's default. */
        @Param({"16", "1"})
        public int retain;

        Path dir;
        Group group;
        Region heap;
        long pages;
        long pagesPerOp;
        long value;
        final SplittableRandom rnd = new SplittableRandom(6);

        @Setup(Level.Trial)
        public void setUp() {
            dir = DurableDirs.create("d1");
            group = Group.builder("d1").store(Store.directoryBuilder(dir).retainCheckpoints(retain).open()).checkpointEvery(Duration.ZERO).open();
            heap = group.newRegion("heap", RegionSizes.bytes(region));
            pages = heap.capacity() / heap.pageSize();
            pagesPerOp = (long) mib * DurableDirs.MIB / heap.pageSize();
            if (pagesPerOp > pages) {
                throw new IllegalArgumentException(mib + " MiB dirty per checkpoint in a " + region + " region");
            }
            RegionSizes.fill(heap);
            group.barrier().join(); // the first checkpoint: full, unmeasured
        }

        /** One long into each page of a window of {@code mib} MiB at a random page: every page in it is new. */
        void dirty() {
            long page = rnd.nextLong(pages);
            long v = ++value;
            int pageSize = heap.pageSize();
            for (long k = 0; k < pagesPerOp; k++) {
                heap.putLong(page * pageSize + 16, v);
                if (++page == pages) {
                    page = 0;
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                group.close();
            } finally {
                DurableDirs.delete(dir);
            }
        }
    }

    /** MiB of dirty pages made durable, reported per second (JMH divides by the iteration's time). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Written {
        public long writtenMiB;

        @Setup(Level.Iteration)
        public void reset() {
            writtenMiB = 0;
        }
    }

    /** The same durable region, dirtied before each {@code flushOnly} call, outside the measured time. */
    @State(Scope.Thread)
    public static class DirtiedRegion extends DurableRegion {
        @Setup(Level.Invocation)
        public void dirtyNext() {
            dirty();
        }
    }

    /**
     * The flush alone: the same dirty window as {@link #dirtyThenBarrier}, made in the per-invocation set-up (not
     * measured), then {@code barrier().join()} — checkpoint, walk of the changed pages, the store's writes and its
     * fsync, sampled (ms per flush): {@code mib} divided by the mean is the flush bandwidth the issue compares with
     * the disk's (D2); the application's own copy-on-write while it dirties the pages (about 0.7 µs a page, R2) is
     * not in it.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Checkpoint flushOnly(DirtiedRegion s) {
        return s.group.barrier().join();
    }

    @Benchmark
    public Checkpoint dirtyThenBarrier(DurableRegion s, Written w) {
        s.dirty();
        Checkpoint cp = s.group.barrier().join();
        w.writtenMiB += s.mib;
        return cp;
    }
}
