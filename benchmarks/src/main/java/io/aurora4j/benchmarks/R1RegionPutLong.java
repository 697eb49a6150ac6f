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
 * R1: a write with no copy pending. {@code unsafeBuffer} is Agrona's {@code UnsafeBuffer.putLong} on 1 MiB of
 * off-heap memory; {@code region} is {@code Region.putLong} (raw mode, outside any scope) on a 1 MiB region
 * whose pages were all written in the current epoch, so no write copies anything: the cost is the bounds
 * check, the scope test, the two-level page lookup and the epoch compare. Both walk the same offsets (8-byte
 * stride, wrapping), so both touch the same cache lines. Target: {@code region} ≤ 1.3 × {@code unsafeBuffer}.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.R1RegionPutLong'} (ns/op, lower is better).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS})
@Threads(1)
public class R1RegionPutLong {
    static final int BYTES = 1 << 20;
    static final int MASK = BYTES - 1;

    @State(Scope.Thread)
    public static class Plain {
        UnsafeBuffer buffer;
        int at;
        long value;

        @Setup(Level.Trial)
        public void setUp() {
            buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BYTES, 64));
        }
    }

    @State(Scope.Thread)
    public static class Paged {
        Group group;
        Region region;
        int at;
        long value;

        @Setup(Level.Trial)
        public void setUp() {
            group = Group.inMemory("r1");
            region = group.newRegion("heap", BYTES);
            RegionSizes.fill(region); // every page copied in the current epoch: no write below copies
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @Benchmark
    public void unsafeBuffer(Plain s) {
        int i = s.at;
        s.at = (i + 8) & MASK;
        s.buffer.putLong(i, s.value++);
    }

    @Benchmark
    public void region(Paged s) {
        int i = s.at;
        s.at = (i + 8) & MASK;
        s.region.putLong(i, s.value++);
    }
}
