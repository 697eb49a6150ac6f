package io.aurora4j.benchmarks;

import java.util.SplittableRandom;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The per-thread random source every contender draws its indices from, so that all of them see the same
 * distribution at the same cost. Indices are drawn <em>before</em> a transaction starts, so a retried
 * transaction works on the same refs and the random draw is never part of what a contender re-executes.
 */
@State(Scope.Thread)
public class PerThread {
    /** Seeded per thread: two threads never walk the same sequence, and a re-run is comparable. */
    private final SplittableRandom random = new SplittableRandom(0x5EEDL * 31 + Thread.currentThread().threadId());

    /** Scratch for W3's 16 indices, filled by {@link #fill(int[], int)} before each transaction. */
    public final int[] indices = new int[W3ReadOnlySum.READS];

    /** A uniform index in {@code [0, bound)}. */
    public int next(int bound) {
        return random.nextInt(bound);
    }

    /** A uniform index in {@code [0, n)} different from {@code not}. */
    public int nextOther(int n, int not) {
        return (not + 1 + random.nextInt(n - 1)) % n;
    }

    /** Fills {@code into} with uniform indices in {@code [0, bound)} (repeats allowed). */
    public int[] fill(int[] into, int bound) {
        for (int i = 0; i < into.length; i++) {
            into[i] = random.nextInt(bound);
        }
        return into;
    }
}
