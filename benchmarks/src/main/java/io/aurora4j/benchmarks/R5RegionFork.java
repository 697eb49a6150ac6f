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

import java.util.concurrent.TimeUnit;

/**
 * R5: the serverless warm start — {@code group.fork(cp)} of a group holding one filled region of 2 MiB or
 * 2 GiB, forked again and again from the same checkpoint. The fork is a new group (its registry, notifier,
 * epochs) whose region shares the checkpoint's page table; it is closed in the per-invocation tear-down, off
 * the measured path. Compare with the paper's Table 4 (restore in 755.5 µs; 26 µs for a single page).
 * Target: ≤ 50 µs at 2 GiB, independent of size.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.R5RegionFork'} (µs, sampled).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "-XX:MaxDirectMemorySize=8g", "-Xmx4g"})
@Threads(1)
public class R5RegionFork {

    @State(Scope.Thread)
    public static class Template {
        @Param({"2m", "2g"})
        public String size;

        Group group;
        Checkpoint warm;
        Group fork;

        @Setup(Level.Trial)
        public void setUp() {
            group = RegionSizes.group("r5", 8);
            Region region = group.newRegion("heap", RegionSizes.bytes(size));
            RegionSizes.fill(region);
            warm = group.checkpoint("warm");
        }

        @TearDown(Level.Invocation)
        public void closeFork() {
            if (fork != null) {
                fork.close();
                fork = null;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @Benchmark
    public Object fork(Template s) {
        s.fork = s.group.fork(s.warm);
        return s.fork;
    }
}
