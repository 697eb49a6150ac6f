package io.aurora4j.txn;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Lazy page load (recovery is lazy, see {@code StoredPages}): two threads touch the same restored placeholder page
 * first, at once. A placeholder wraps the shared zero buffer and holds its store in {@code Page.stored}. Every path
 * that reads a page's bytes calls {@code Page.ensureLoaded()} first: an acquire load of {@code stored}, and if it is
 * not null, {@code StoredPages.load} under a striped lock (re-checked under it), which reads the stored bytes into a
 * fresh chunk, installs the chunk with a CAS, re-points the buffer at it ({@code UnsafeBuffer.wrap}: plain stores
 * of address and capacity) and clears {@code stored} with a release store. A thread that finds {@code stored} null
 * must see the bytes and the new address; one that finds it set waits for the loader on the lock.
 *
 * <p>Every stored word holds 5. Each state pairs one way of touching the page first on each actor (chosen from
 * the state's serial, so one run covers every pair): a raw read, a transactional read ({@code RegionTxn.read}
 * through {@code livePage}), a view read of the recovered checkpoint ({@code RegionAtCheckpoint.readAt}), and on the first
 * actor also a raw write of word 3 (which loads the placeholder, then copies it under the region's lock:
 * {@code rawWritable}, {@code newPage}) or a transactional write of word 3 (its shadow is copied from the loaded
 * page), each followed by reads of the page. Each actor reports words 0 and 7. A thread that reads the page
 * before its bytes are visible reads zeros (the zero buffer, or a fresh chunk's memory); a partly visible page
 * shows as a mixed pair.
 *
 * <p>Freeing a placeholder while it loads is not reachable through the public API: a page leaves a table only by
 * being replaced, and the replacement copies it (which loads it) first; a rollback frees only pages born after
 * its checkpoint, and placeholders are born before any; a fork loads every placeholder before sharing the
 * table. So the load/free race in {@code StoredPages.load} ({@code retireChunk} against {@code publishLoaded})
 * can only meet an already loaded page, whose {@code ensureLoaded} is one acquire load, and is not tested here.
 */
@JCStressTest
@Description("Two threads touch the same lazily restored page first: raw/transactional/view reads, raw/transactional writes")
@Outcome(id = "5, 5, 5, 5", expect = ACCEPTABLE, desc = "both actors read the stored bytes")
@Outcome(expect = FORBIDDEN, desc = "a zero (an unloaded or unfilled page read) or a mixed page")
@State
public class LazyPageLoadTest {
    static final long NEW = 7;
    private static final long LAST = StoredRegions.PAGE - Long.BYTES;
    private static final long OTHER = 3 * Long.BYTES;
    private static final StoredRegions SHARED = new StoredRegions();

    private final Group group;
    private final Region region;
    private final CheckpointView view;
    private final long base;
    /** How the first actor touches the page: 0 raw read, 1 transactional read, 2 view read, 3 raw write, 4 transactional write. */
    private final int first;
    /** How the second actor touches it: 0 raw read, 1 transactional read, 2 view read. */
    private final int second;

    public LazyPageLoadTest() {
        StoredRegions.Slot s = SHARED.take();
        group = s.group();
        region = s.region();
        view = s.recovered();
        base = s.base();
        first = (int) (s.serial() % 5);
        second = (int) (s.serial() / 5 % 3);
    }

    @Actor
    public void first(JJJJ_Result r) {
        switch (first) {
            case 0 -> {
                r.r1 = region.getLong(base);
                r.r2 = region.getLong(base + LAST);
            }
            case 1 -> group.atomic(() -> {
                r.r1 = region.getLong(base);
                r.r2 = region.getLong(base + LAST);
            });
            case 2 -> {
                r.r1 = view.getLong(region, base);
                r.r2 = view.getLong(region, base + LAST);
            }
            case 3 -> {
                region.putLong(base + OTHER, NEW); // raw mode: this actor is the region's only writer
                r.r1 = region.getLong(base);
                r.r2 = region.getLong(base + LAST);
            }
            default -> group.atomic(() -> {
                region.putLong(base + OTHER, NEW);
                r.r1 = region.getLong(base);
                r.r2 = region.getLong(base + LAST);
            });
        }
    }

    @Actor
    public void second(JJJJ_Result r) {
        switch (second) {
            case 0 -> {
                r.r3 = region.getLong(base);
                r.r4 = region.getLong(base + LAST);
            }
            case 1 -> group.atomic(() -> {
                r.r3 = region.getLong(base);
                r.r4 = region.getLong(base + LAST);
            });
            default -> {
                r.r3 = view.getLong(region, base);
                r.r4 = view.getLong(region, base + LAST);
            }
        }
    }
}
