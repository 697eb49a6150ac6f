package io.aurora4j.benchmarks;

import java.util.concurrent.TimeUnit;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
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
 * W5: the latency of {@code group.checkpoint()} alone in a group of 1,000 and of 1,000,000 TLongs (Aurora
 * only: the peers have no checkpoint). The design promises O(1) — no copying of pages, no walk over
 * objects — so both sizes should give the same figure.
 *
 * <ul>
 *   <li>{@code checkpoint} — checkpoints back to back; nothing is written in between, so each one closes
 *       an empty epoch;
 *   <li>{@code writeThenCheckpoint} — one write (its own small transaction) to a rotating object, then a
 *       checkpoint, so that every checkpoint closes an epoch with a dirty object in it. It includes the cost
 *       of that write; compare with W1 for the write alone.
 * </ul>
 * Both modes: average time, and sample time (the latency distribution, p50 to p99.99), in µs.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.W5CheckpointLatency'} (lower is better).
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class W5CheckpointLatency {

    @State(Scope.Benchmark)
    public static class Aurora {
        @Param({"1000", "1000000"})
        public int objects;

        Group group;
        TLong[] refs;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            // Retaining one checkpoint keeps history from growing by millions of entries during the run.
            group = Group.builder("w5").retainCheckpoints(1).open();
            refs = new TLong[objects];
            for (int i = 0; i < objects; i++) {
                refs[i] = group.newLong("o" + i, i);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @Benchmark
    public Object checkpoint(Aurora s) {
        return s.group.checkpoint();
    }

    @Benchmark
    public Object writeThenCheckpoint(Aurora s) {
        int i = s.next;
        s.next = i + 1 == s.objects ? 0 : i + 1;
        s.refs[i].add(1);
        return s.group.checkpoint();
    }
}
