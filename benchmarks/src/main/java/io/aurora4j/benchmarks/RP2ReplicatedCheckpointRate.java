package io.aurora4j.benchmarks;

import io.aurora4j.replication.ReplicatedStore;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * RP2 (issue 12): sustained checkpoint rate of a group on a {@link ReplicatedStore} with 1 MiB dirty per
 * checkpoint (checkpoints per second; × 1 MiB = MiB/s committed through the cluster). One operation writes one
 * long into each page of the next 1 MiB of a 16 MiB region (256 pages) and calls {@code group.barrier().join()}
 * (as {@link D1CheckpointRate} does on a directory store), three members in this JVM on 127.0.0.1. Measured
 * iterations are 10 s, so a member's snapshot-free log grows by a few hundred MiB in the fork's directory
 * (deleted in the tear-down; the log purge runs every 10 s as in production, with the default 256 MiB snapshot
 * interval).
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.RP2'} (about 50 s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {RegionSizes.ADD_EXPORTS, "--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@Threads(1)
public class RP2ReplicatedCheckpointRate {

    @Benchmark
    public Checkpoint dirtyOneMiBThenBarrier(RP1ReplicatedCommit.Replicated s) {
        s.dirty((1 << 20) / RP1ReplicatedCommit.PAGE);
        return s.group.barrier().join();
    }
}
