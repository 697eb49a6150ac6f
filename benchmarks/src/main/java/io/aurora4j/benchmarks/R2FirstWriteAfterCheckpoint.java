package io.aurora4j.benchmarks;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.util.concurrent.TimeUnit;

/**
 * R2: the cost of the first write to a page after a checkpoint, against a 4 KiB memory copy.
 *
 * <ul>
 *   <li>{@code memcpy4k} — {@code UnsafeBuffer.putBytes} of 4 KiB from page {@code i} of a 64 MiB off-heap
 *       arena to page {@code i} of another, {@code i} advancing: the copy alone, with the same cache behaviour
 *       as the region's (64 MiB does not fit in cache).</li>
 *   <li>{@code firstWrite} — {@code Region.putLong} to page {@code i} of a filled 64 MiB region, {@code i}
 *       advancing, and a checkpoint each time {@code i} wraps, so every write is the first to its page since
 *       the last checkpoint: it copies the page (from the pool), puts the old one on the epoch's history, and
 *       once per 512 pages copies a leaf of the page table. The group retains one checkpoint, so each
 *       checkpoint releases the previous epoch's 16,384 old pages back to the pool on the calling thread; that
 *       release (and the checkpoint itself) is amortised over the 16,384 writes.</li>
 * </ul>
 * Target: {@code firstWrite} ≤ 2 × {@code memcpy4k}.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.R2FirstWriteAfterCheckpoint'} (ns/op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "-XX:MaxDirectMemorySize=4g"})
@Threads(1)
public class R2FirstWriteAfterCheckpoint {
    static final int BYTES = 64 << 20;
    static final int PAGE = 4096;
    static final int PAGES = BYTES / PAGE;

    @State(Scope.Thread)
    public static class Copy {
        UnsafeBuffer from;
        UnsafeBuffer to;
        int page;

        @Setup(Level.Trial)
        public void setUp() {
            from = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BYTES, 64));
            to = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BYTES, 64));
            for (int i = 0; i < BYTES; i += 8) {
                from.putLong(i, i);
            }
        }
    }

    @State(Scope.Thread)
    public static class Cow {
        Group group;
        Region region;
        int page;

        @Setup(Level.Trial)
        public void setUp() {
            group = Group.builder("r2").retainCheckpoints(1).maintenanceExecutor(Runnable::run).open();
            region = group.newRegion("heap", BYTES);
            RegionSizes.fill(region);
            group.checkpoint();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @Benchmark
    public void memcpy4k(Copy s) {
        int p = s.page;
        s.page = p + 1 == PAGES ? 0 : p + 1;
        s.to.putBytes(p * PAGE, s.from, p * PAGE, PAGE);
    }

    @Benchmark
    public void firstWrite(Cow s) {
        int p = s.page;
        if (p + 1 == PAGES) {
            s.page = 0;
            s.group.checkpoint(); // every page is frozen again
        } else {
            s.page = p + 1;
        }
        s.region.putLong((long) p * PAGE + 64, p);
    }
}
