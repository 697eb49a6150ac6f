package io.aurora4j.modelchecks.matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * One configuration of the durable-group matrix, the way Caffeine's {@code @CacheSpec} describes a cache: the
 * axes that interact are listed once in {@link #all()} and every test is generated from them.
 *
 * @param durable       a directory store (else the group lives in memory and the store axes do not apply)
 * @param cleaning      the store's cleaning (copy-forward of live records out of old segments) is on
 * @param retain        checkpoints kept by the group's history and by the store (1 or 16)
 * @param smallSegments 64 KiB segments (else the default size, where cleaning and compaction rarely act)
 * @param lazy          regions are restored lazily and left untouched: after a reopen, region writes go to page 0
 *                      only, and regions are read (which loads every page) only by the {@code TOUCH} operation,
 *                      {@code fork}, {@code send} and at the end of the sequence
 * @param speculation   the generator begins {@code Speculation}s and later confirms or fails them
 */
record Spec(boolean durable, boolean cleaning, int retain, boolean smallSegments, boolean lazy, boolean speculation) {

    /** The matrix: in memory × retention × speculation, durable × cleaning × retention × laziness × speculation. */
    static List<Spec> all() {
        List<Spec> all = new ArrayList<>();
        for (int retain : new int[]{1, 16}) {
            for (boolean spec : new boolean[]{false, true}) {
                all.add(new Spec(false, false, retain, false, false, spec));
            }
        }
        for (boolean cleaning : new boolean[]{true, false}) {
            for (int retain : new int[]{1, 16}) {
                for (boolean lazy : new boolean[]{false, true}) {
                    for (boolean spec : new boolean[]{false, true}) {
                        all.add(new Spec(true, cleaning, retain, true, lazy, spec));
                    }
                }
            }
        }
        all.add(new Spec(true, true, 1, false, true, false)); // default segments: cleaning has little to do
        return all;
    }

    /** A name that {@code -Dmatrix.spec=} matches exactly (and a test display name). */
    String name() {
        if (!durable) {
            return "memory-retain" + retain + (speculation ? "-speculation" : "");
        }
        return "durable" + (cleaning ? "-cleaning" : "-nocleaning") + "-retain" + retain
                + (smallSegments ? "-seg64k" : "-segdefault") + (lazy ? "-lazy" : "") + (speculation ? "-speculation" : "");
    }
}
