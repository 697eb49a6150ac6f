package io.aurora4j.benchmarks;

import io.aurora4j.store.Store;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TMap;
import io.aurora4j.txn.TRef;
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
 * W7: the write paths of heap values, on one thread — {@code refSet}: {@code group.atomic(() -> ref.set(v))};
 * {@code mapPut}: {@code group.atomic(() -> map.put(k, v))} over 64 keys, both alternating between preallocated
 * values (a {@code String} and a {@code Long}), so nothing is allocated for the values themselves. The group is
 * {@code memory} (no store) or {@code durable} (a {@link Store#memory()} store and no periodic checkpoints, so that
 * only the write path is measured, not flushes): a durable group checks at each write that the value's class can
 * be encoded, so this benchmark is what tells what that check costs. Aurora only: the peers have no counterpart.
 *
 * <p>Run: {@code ./build bench -f 1 'io.aurora4j.benchmarks.W7RefAndMapWrites'} (throughput, ops/µs; higher is
 * better).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
public class W7RefAndMapWrites {
    static final int KEYS = 64;

    /** The group and its objects. */
    @State(Scope.Benchmark)
    public static class Writes {
        @Param({"memory", "durable"})
        public String group;

        Group g;
        TRef<Object> ref;
        TMap<Long, Object> map;
        final Long[] keys = new Long[KEYS];
        final Object[] values = {"a string value", 1234567890123L};
        long refOps;
        long mapOps;

        @Setup(Level.Trial)
        public void setUp() {
            g = group.equals("durable")
                    ? Group.builder("w6").store(Store.memory()).checkpointEvery(Duration.ZERO).open()
                    : Group.inMemory("w6");
            ref = g.newRef("ref", values[0]);
            map = g.newMap("map");
            for (int i = 0; i < KEYS; i++) {
                keys[i] = (long) i << 20; // outside the Long cache: the map hashes real objects
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (refOps > 0) { // the last value set is the one the ref holds
                Check.equal("aurora " + group + " refSet", 1, ref.get() == values[(int) ((refOps - 1) & 1)] ? 1 : 0);
            }
            Check.equal("aurora " + group + " mapPut", Math.min(mapOps, KEYS), map.size());
            g.close();
        }
    }

    /** Sets the ref to the next of two values. */
    @Benchmark
    public void refSet(Writes s) {
        Object v = s.values[(int) (s.refOps++ & 1)];
        TRef<Object> ref = s.ref;
        s.g.atomic(() -> {
            ref.set(v);
        });
    }

    /** Puts the next value under the next key. */
    @Benchmark
    public void mapPut(Writes s) {
        long n = s.mapOps++;
        Long k = s.keys[(int) (n & (KEYS - 1))];
        Object v = s.values[(int) ((n >>> 6) & 1)];
        TMap<Long, Object> map = s.map;
        s.g.atomic(() -> {
            map.put(k, v);
        });
    }
}
