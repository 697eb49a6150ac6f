package io.aurora4j.benchmarks;

import io.aurora4j.txn.Checkpoint;
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
 * R4: time until the group is usable again after {@code rollback(cp)} of a filled region (256 MiB or 2 GiB)
 * with 1% of its pages written since {@code cp}: {@code rollback} returns when every state object is
 * restored, in-flight transactions are aborted and listeners are scheduled; the pages born since {@code cp}
 * go back to the pool afterwards on the maintenance executor (virtual threads), off the measured path. The
 * per-invocation set-up takes the checkpoint and dirties the pages. Compare with the paper's Table 4 (restore
 * in 755.5 µs). Target: ≤ 50 µs at 2 GiB.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.R4RegionRollback'} (µs, sampled).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "-XX:MaxDirectMemorySize=8g", "-Xmx4g"})
@Threads(1)
public class R4RegionRollback {

    @State(Scope.Thread)
    public static class Dirty {
        @Param({"256m", "2g"})
        public String size;

        Group group;
        Region region;
        Checkpoint cp;
        final SplittableRandom rnd = new SplittableRandom(4);

        @Setup(Level.Trial)
        public void setUp() {
            group = RegionSizes.group("r4", 8);
            region = group.newRegion("heap", RegionSizes.bytes(size));
            RegionSizes.fill(region);
            RegionSizes.warmUpCheckpointAndRollback();
        }

        @Setup(Level.Invocation)
        public void checkpointThenDirty() {
            cp = group.checkpoint();
            RegionSizes.dirty(region, rnd, 1.0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @Benchmark
    public Object rollback(Dirty s) {
        return s.group.rollback(s.cp);
    }
}
