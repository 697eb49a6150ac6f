package io.aurora4j.benchmarks;

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

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * D2: the disk's own sequential write bandwidth, the baseline for the store's flush bandwidth measured by
 * {@link D1CheckpointRate} in the same invocation, on the same file system. {@code disk} writes the same
 * {@code mib} MiB (1, 16, 64) per operation as D1's checkpoints and makes them durable with one {@code fsync}:
 * {@link DurableDirs.AppendFiles} appends them to plain files with a {@code FileChannel} (1 MiB positional
 * writes from a direct buffer of random bytes, one {@code force(true)} per operation, a new 64 MiB file, made
 * durable by a directory force, when one is full, and the oldest beyond four deleted, as the directory store
 * rolls and compacts its segments) — the most a store appending to this file system could reach.
 *
 * <p>The secondary result {@code writtenMiB} is MiB/s; the ratio D1 {@code writtenMiB} ÷ D2 {@code writtenMiB}
 * at the same {@code mib} is the store's flush efficiency. Target (issue 6): ≥ 70%.
 *
 * <p>Warm-up: 3 iterations of 2 s, as in D1 (milliseconds of disk I/O per operation; see D1); 5 measured
 * iterations of 2 s (plain appends have no long cycles, unlike the store).
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.D[12]'} (both, the same run; read
 * {@code writtenMiB}, MiB/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "-XX:MaxDirectMemorySize=8g", "-Xmx4g"})
@Threads(1)
public class D2FlushBandwidth {

    /** Plain files in a fresh directory beside the store's. */
    @State(Scope.Thread)
    public static class Disk {
        @Param({"1", "16", "64"})
        public int mib;

        Path dir;
        DurableDirs.AppendFiles files;

        @Setup(Level.Trial)
        public void setUp() {
            dir = DurableDirs.create("d2-disk");
            files = new DurableDirs.AppendFiles(dir);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                files.close();
            } finally {
                DurableDirs.delete(dir);
            }
        }
    }

    @Benchmark
    public long disk(Disk d, D1CheckpointRate.Written w) throws IOException {
        long n = d.files.appendAndForce((long) d.mib * DurableDirs.MIB);
        w.writtenMiB += d.mib;
        return n;
    }
}
