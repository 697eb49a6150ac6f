package io.aurora4j.benchmarks;

import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;

import java.util.SplittableRandom;

/** Shared set-up of the R benchmarks: region sizes as strings, filled regions, 1% dirtying. */
final class RegionSizes {
    /** The JVM flags every R benchmark fork needs: Agrona 2's export, and room for 2 GiB regions plus history. */
    static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private RegionSizes() {
    }

    /** "2m", "256m", "2g" → bytes. */
    static long bytes(String size) {
        long n = Long.parseLong(size.substring(0, size.length() - 1));
        return switch (size.charAt(size.length() - 1)) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> throw new IllegalArgumentException("size must end in k, m or g: " + size);
        };
    }

    /** Writes one long into every page, so every page holds memory (as an application's resident set does). */
    static void fill(Region r) {
        for (long at = 0; at < r.capacity(); at += r.pageSize()) {
            r.putLong(at, at);
        }
    }

    /** Writes one long into {@code percent}% of the pages, chosen at random: the first write to each copies it. */
    static void dirty(Region r, SplittableRandom rnd, double percent) {
        long pages = r.capacity() / r.pageSize();
        long n = Math.max(1, (long) (pages * percent / 100));
        for (long k = 0; k < n; k++) {
            long page = rnd.nextLong(pages);
            r.putLong(page * r.pageSize() + 8, k);
        }
    }

    /**
     * Runs {@code checkpoint()} 20,000 times and {@code rollback} 10,000 times on a small scratch group, so that
     * the JIT has compiled both before a trial measures them. At 2 GiB, dirtying 1% of the pages takes
     * milliseconds, so a trial reaches only a few hundred invocations and would otherwise time interpreted or
     * C1 code, with the application's dirtying having just evicted the interpreter's data from the caches
     * (measured with a plain harness: checkpoint p50 12 µs cold vs 0.8 µs compiled at 2 MiB; at 2 GiB p50
     * 85 µs cold vs 4 µs). A long-running application is in the compiled state after its first minutes of
     * checkpoints; this is the state JMH's warm-up is meant to reach.
     */
    static void warmUpCheckpointAndRollback() {
        try (Group g = group("warm-up", 8)) {
            Region r = g.newRegion("scratch", 2 << 20);
            fill(r);
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < 20_000; i++) {
                Checkpoint cp = g.checkpoint();
                dirty(r, rnd, 1.0);
                if ((i & 1) == 0) {
                    g.rollback(cp);
                }
            }
        }
    }

    static Group group(String name, int retain) {
        return Group.builder(name).retainCheckpoints(retain).open();
    }
}
