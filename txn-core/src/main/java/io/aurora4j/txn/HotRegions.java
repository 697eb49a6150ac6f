package io.aurora4j.txn;

/**
 * Its one job: remembering the regions in which this thread made a page hot in raw mode (see {@code Region.hotPage}),
 * so that the thread's next transaction first stops those pages taking its writes on the raw fast path: a hot page
 * must not take a write that a transaction of the same thread means to buffer, validate and install.
 *
 * <p>One per {@link Txn}, created when its thread first makes a page hot and kept: like its {@code Txn}, it is
 * confined to that thread (not thread-safe, never shared). Bounded: at most four regions are remembered; a fifth
 * drops the four (a thread raw-writing many regions makes pages hot again as it goes).
 */
final class HotRegions {
    private final Region[] regions = new Region[4];
    /** How many of {@link #regions} are remembered; read by {@code Txn.begin}. */
    int count;

    /** This thread made a page of {@code r} hot in raw mode. */
    void note(Region r) {
        for (int i = 0; i < count; i++) {
            if (regions[i] == r) {
                return;
            }
        }
        if (count == regions.length) {
            drop();
        }
        regions[count++] = r;
    }

    /** This thread starts a transaction (or remembers too many regions): its hot pages stop taking raw writes. */
    void drop() {
        Thread me = Thread.currentThread();
        for (int i = 0; i < count; i++) {
            regions[i].dropHot(me);
            regions[i] = null;
        }
        count = 0;
    }
}
