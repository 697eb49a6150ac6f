package io.aurora4j.benchmarks;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * R3: checkpoint stop time — how long {@code group.checkpoint()} takes (the application is never stopped for
 * longer: nothing else pauses) in a group holding one filled region of 2 MiB, 256 MiB or 2 GiB, with 1% of
 * its pages dirtied (first writes, so copied) between checkpoints. The dirtying runs in the per-invocation
 * set-up and is not measured. Compare with the paper's Table 3 (Redis, 2 GiB: 950.8 µs incremental, 5,413.8
 * µs full). The group retains 8 checkpoints, so the history of 8 epochs (8% of the pages) stays in memory.
 * Target: ≤ 10 µs, flat across sizes.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.R3RegionCheckpointStop'} (µs, sampled).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "-XX:MaxDirectMemorySize=8g", "-Xmx4g"})
@Threads(1)
public class R3RegionCheckpointStop {

    @State(Scope.Thread)
    public static class Filled {
        @Param({"2m", "256m", "2g"})
        public String size;

        Group group;
        Region region;
        final SplittableRandom rnd = new SplittableRandom(3);

        @Setup(Level.Trial)
        public void setUp() {
            group = RegionSizes.group("r3", 8);
            region = group.newRegion("heap", RegionSizes.bytes(size));
            RegionSizes.fill(region);
            RegionSizes.warmUpCheckpointAndRollback();
        }

        @Setup(Level.Invocation)
        public void dirtyOnePercent() {
            RegionSizes.dirty(region, rnd, 1.0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @Benchmark
    public Object checkpoint(Filled s) {
        return s.group.checkpoint();
    }
}
