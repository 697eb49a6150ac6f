package io.aurora4j.txn;

import java.util.Arrays;

/**
 * A transaction's region accesses: the pages it read (region, page index, the page object seen) and the
 * pages it writes, each as a private <em>shadow</em> copy that its reads and writes go to until commit.
 * One per {@link Txn}, created on the first region access of a thread and reused.
 *
 * <h2>Protocol (page granularity, TL2)</h2>
 * A read takes the region's seqlock, finds the live page, reads it, and accepts it if the seqlock did not
 * move, the group was not rolled back since the transaction began, and the page's version is at most the
 * transaction's read version (else the snapshot is extended, as for boxes). Pages are never changed in
 * place by a transaction and a {@link Page} object is never reused, so validation compares page
 * <em>identity</em>: a read is still valid iff its slot still holds the page object it saw. The first write
 * to a page copies it into a shadow (the page is also recorded as read). Commit, called by
 * {@link Txn#commit()} with the write set of boxes locked, locks every region written (their
 * {@link RegionRoot} lock word), validates, and installs each shadow with a reference store; see
 * {@link RegionPageTable#installShadow}.
 *
 * <h2>Nesting</h2>
 * A nested scope that writes a page already shadowed by an enclosing scope copies the shadow first and logs
 * the old one; if the nested scope throws, the old shadows come back and the nested ones are freed. At the
 * top level shadows are written in place.
 *
 * <p>Confined to its thread, like {@link Txn}.
 */
final class RegionTxn {
    private static final int LINEAR_LIMIT = 8;
    private static final int LOCK_SPINS = 256;

    private final Txn txn;

    private Region[] rRegion = new Region[8];
    private int[] rPage = new int[8];
    private Page[] rSeen = new Page[8];
    private int rCount;

    private Region[] wRegion = new Region[4];
    private int[] wPage = new int[4];
    private Page[] wShadow = new Page[4];
    private int[] wScope = new int[4];
    private int wCount;
    private int[] index; // open addressing: slot holds write index + 1; valid while indexed == wCount
    private int indexed = -1;

    private int[] oIndex = new int[4];
    private Page[] oShadow = new Page[4];
    private int[] oScope = new int[4];
    private int oCount;

    /** Nested-scope frames: write count, overwrite count, enclosing scope id. */
    private int[] frames = new int[12];
    private int frameCount;
    private int scope;
    private int scopeCounter;

    private Region[] locked = new Region[2];
    private long[] lockedMeta = new long[2];
    private int lockedCount;
    private boolean installed;

    RegionTxn(Txn txn) {
        this.txn = txn;
    }

    // ------------------------------------------------------------------ reads and writes

    void addRead(Region r, int page, Page seen) {
        int n = rCount;
        if (n > 0 && rPage[n - 1] == page && rRegion[n - 1] == r && rSeen[n - 1] == seen) {
            return; // the same page read again: one entry is enough
        }
        if (n == rRegion.length) {
            rRegion = Arrays.copyOf(rRegion, n * 2);
            rPage = Arrays.copyOf(rPage, n * 2);
            rSeen = Arrays.copyOf(rSeen, n * 2);
        }
        rRegion[n] = r;
        rPage[n] = page;
        rSeen[n] = seen;
        rCount = n + 1;
    }

    /** The transaction's shadow of the page, or null if it has not written it. */
    Page shadowFor(Region r, int page) {
        if (wCount == 0) {
            return null;
        }
        int i = find(r, page);
        return i < 0 ? null : wShadow[i];
    }

    /** The shadow to write the page through in the current scope, created (copied) on first use. */
    Page writable(Region r, int page) {
        int i = wCount == 0 ? -1 : find(r, page);
        if (i >= 0) {
            if (scope != 0 && wScope[i] != scope) {
                // Written by an enclosing scope: keep its shadow for the case this nested scope throws.
                Page copy = copyShadow(r, wShadow[i]);
                logOverwrite(i);
                wShadow[i] = copy;
                wScope[i] = scope;
            }
            return wShadow[i];
        }
        Page shadow = newShadow(r, page); // records the page it copied as read
        int n = wCount;
        if (n == wRegion.length) {
            wRegion = Arrays.copyOf(wRegion, n * 2);
            wPage = Arrays.copyOf(wPage, n * 2);
            wShadow = Arrays.copyOf(wShadow, n * 2);
            wScope = Arrays.copyOf(wScope, n * 2);
        }
        wRegion[n] = r;
        wPage[n] = page;
        wShadow[n] = shadow;
        wScope[n] = scope;
        wCount = n + 1;
        if (index != null && indexed == n && (n + 1) * 2 <= index.length) {
            insert(n);
            indexed = n + 1;
        }
        return shadow;
    }

    /**
     * A transactional read of {@code length} bytes of {@code r} from {@code index}: each page validated against the
     * snapshot (TL2) and recorded as read; pages this transaction wrote are read from its shadows.
     */
    long read(Region r, long index, int op, Object dst, int dstOff, int length) {
        RegionRoot rootBox = r.rootBox;
        int pageSize = r.pageSize;
        long v = 0;
        int done = 0;
        do {
            long at = index + done;
            int po = (int) at & r.pageMask;
            int n = Math.min(length - done, pageSize - po);
            int pi = (int) (at >>> r.pageShift);
            Page shadow = shadowFor(r, pi);
            if (shadow != null) {
                v = RegionAccessPaths.readOp(shadow, po, op, dst, dstOff + done, n);
            } else {
                for (int spins = 0; ; spins++) {
                    long m = rootBox.lvMeta();
                    if ((m & VBox.LOCKED) != 0) {
                        txn.awaitRegion(rootBox, m, spins);
                        continue;
                    }
                    Page p = r.livePage(pi);
                    v = RegionAccessPaths.readOp(p, po, op, dst, dstOff + done, n);
                    if (rootBox.lpMetaAfterFence() != m) {
                        continue; // a commit or rollback changed the table while we read: read again
                    }
                    // A page's version is its commit's; the lock word's is the region's last commit or restore.
                    // A rollback restores pages with their old versions and publishes a fresh one in the lock word,
                    // so taking the larger makes a read after a restore extend (and fail) like a box's read would.
                    if (!txn.admitRegionRead(rootBox, Math.max(p.version, VBox.version(m)))) {
                        continue; // the snapshot was extended: read again at the new read version
                    }
                    addRead(r, pi, p);
                    break;
                }
            }
            done += n;
        } while (done < length);
        return v;
    }

    /**
     * This transaction's shadow of page {@code pi} of {@code r}: a copy of the live page taken inside the seqlock,
     * whose page is recorded as read (so commit validates that the page the copy came from is still the live one).
     */
    private Page newShadow(Region r, int pi) {
        RegionRoot rootBox = r.rootBox;
        Page shadow = r.table.newPageObject(r.reclaim.takeChunk(false), pi);
        try {
            for (int spins = 0; ; spins++) {
                long m = rootBox.lvMeta();
                if ((m & VBox.LOCKED) != 0) {
                    txn.awaitRegion(rootBox, m, spins);
                    continue;
                }
                Page p = r.livePage(pi);
                shadow.putBytes(0, p, 0, r.pageSize);
                if (rootBox.lpMetaAfterFence() != m) {
                    continue;
                }
                if (!txn.admitRegionRead(rootBox, Math.max(p.version, VBox.version(m)))) {
                    continue; // see read
                }
                addRead(r, pi, p);
                return shadow;
            }
        } catch (Throwable e) {
            freeShadow(shadow);
            throw e;
        }
    }

    /** A nested scope's copy of an enclosing scope's shadow. */
    private static Page copyShadow(Region r, Page shadow) {
        Page p = r.table.newPageObject(r.reclaim.takeChunk(false), (int) (shadow.base >>> r.pageShift));
        p.putBytes(0, shadow, 0, r.pageSize);
        return p;
    }

    /** A shadow nothing will install goes back to its region's pool. */
    private static void freeShadow(Page shadow) {
        shadow.owner.reclaim.free(shadow);
    }

    boolean hasWrites() {
        return wCount > 0;
    }

    /** Whether the attempt read a region page (retry() may wait on it). */
    boolean hasReads() {
        return rCount > 0;
    }

    private int find(Region r, int page) {
        int n = wCount;
        if (n <= LINEAR_LIMIT) {
            for (int i = n - 1; i >= 0; i--) {
                if (wPage[i] == page && wRegion[i] == r) {
                    return i;
                }
            }
            return -1;
        }
        if (indexed != n) {
            rebuild();
        }
        int mask = index.length - 1;
        for (int s = hash(r, page) & mask; ; s = (s + 1) & mask) {
            int e = index[s];
            if (e == 0) {
                return -1;
            }
            if (wPage[e - 1] == page && wRegion[e - 1] == r) {
                return e - 1;
            }
        }
    }

    private static int hash(Region r, int page) {
        return (VBox.hashOf(r.rootBox.order) + page * 0x9E3779B9) ^ (page >>> 16);
    }

    private void rebuild() {
        int n = wCount;
        int size = Integer.highestOneBit(Math.max(32, n * 4) - 1) << 1;
        if (index == null || index.length != size) {
            index = new int[size];
        } else {
            Arrays.fill(index, 0);
        }
        for (int i = 0; i < n; i++) {
            insert(i);
        }
        indexed = n;
    }

    private void insert(int i) {
        int mask = index.length - 1;
        int s = hash(wRegion[i], wPage[i]) & mask;
        while (index[s] != 0) {
            s = (s + 1) & mask;
        }
        index[s] = i + 1;
    }

    private void logOverwrite(int i) {
        int n = oCount;
        if (n == oIndex.length) {
            oIndex = Arrays.copyOf(oIndex, n * 2);
            oShadow = Arrays.copyOf(oShadow, n * 2);
            oScope = Arrays.copyOf(oScope, n * 2);
        }
        oIndex[n] = i;
        oShadow[n] = wShadow[i];
        oScope[n] = wScope[i];
        oCount = n + 1;
    }

    // ------------------------------------------------------------------ nesting (called by Txn)

    /** Brings the frame stack to the transaction's depth when this object is first used inside nested scopes. */
    void ensureFrames(int depth) {
        while (frameCount < depth) {
            enterNested();
        }
    }

    void enterNested() {
        int base = frameCount * 3;
        if (base + 3 > frames.length) {
            frames = Arrays.copyOf(frames, frames.length * 2);
        }
        frames[base] = wCount;
        frames[base + 1] = oCount;
        frames[base + 2] = scope;
        frameCount++;
        scope = ++scopeCounter;
    }

    /** The nested body returned: its shadows now belong to the enclosing scope. */
    void commitNested() {
        frameCount--;
        scope = frames[frameCount * 3 + 2];
        if (frameCount == 0) {
            for (int k = 0; k < oCount; k++) {
                freeShadow(oShadow[k]); // superseded, and no enclosing scope can throw any more
                oShadow[k] = null;
            }
            oCount = 0;
        }
    }

    /** The nested body threw: its shadows are freed and the enclosing scope's come back. */
    void rollbackNested() {
        frameCount--;
        int base = frameCount * 3;
        int keepWrites = frames[base];
        int keepOverwrites = frames[base + 1];
        scope = frames[base + 2];
        for (int k = oCount - 1; k >= keepOverwrites; k--) {
            int i = oIndex[k];
            if (i < keepWrites) {
                freeShadow(wShadow[i]);
                wShadow[i] = oShadow[k];
                wScope[i] = oScope[k];
            } else {
                freeShadow(oShadow[k]);
            }
            oShadow[k] = null;
        }
        oCount = keepOverwrites;
        for (int i = keepWrites; i < wCount; i++) {
            freeShadow(wShadow[i]);
            wShadow[i] = null;
            wRegion[i] = null;
        }
        wCount = keepWrites;
        indexed = -1;
    }

    // ------------------------------------------------------------------ commit (called by Txn.commit)

    /** Locks every region written; throws the transaction's abort if one stays locked by another commit. */
    void lock() {
        for (int i = 0; i < wCount; i++) {
            Region r = wRegion[i];
            if (isLocked(r)) {
                continue;
            }
            RegionRoot box = r.rootBox;
            long m;
            for (int spins = 0; ; spins++) {
                m = box.lvMeta();
                if ((m & VBox.LOCKED) == 0) {
                    if (box.casMeta(m, m | VBox.LOCKED)) {
                        break;
                    }
                } else {
                    txn.awaitRegion(box, m, spins);
                }
            }
            if (lockedCount == locked.length) {
                locked = Arrays.copyOf(locked, lockedCount * 2);
                lockedMeta = Arrays.copyOf(lockedMeta, lockedCount * 2);
            }
            locked[lockedCount] = r;
            lockedMeta[lockedCount] = m;
            lockedCount++;
        }
    }

    /** The largest lock word (unlocked) of the regions {@link #lock()} locked: its version is the newest replaced. */
    long lockedMetaMax() {
        long max = 0;
        for (int k = 0; k < lockedCount; k++) {
            max = Math.max(max, lockedMeta[k]);
        }
        return max;
    }

    private boolean isLocked(Region r) {
        for (int k = 0; k < lockedCount; k++) {
            if (locked[k] == r) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every page read still holds the page object seen. A region locked by another commit fails
     * (its pages may be changing), as a locked box does. Returns the box to blame, or null when valid.
     */
    VBox validate() {
        for (int i = 0; i < rCount; i++) {
            Region r = rRegion[i];
            if (!isLocked(r)) {
                long m = r.rootBox.lvMeta();
                if ((m & VBox.LOCKED) != 0) {
                    return r.rootBox;
                }
            }
            if (r.livePage(rPage[i]) != rSeen[i]) {
                return r.rootBox;
            }
        }
        return null;
    }

    /** Installs every shadow at version {@code wv} in epoch {@code e}; returns an epoch to release late, or null. */
    Epoch install(Epoch e, long wv, long releasedUpTo) {
        Epoch late = null;
        for (int i = 0; i < wCount; i++) {
            Epoch l = wRegion[i].table.installShadow(wPage[i], wShadow[i], e, wv, releasedUpTo);
            if (l != null) {
                late = l;
            }
        }
        installed = true;
        return late;
    }

    /** Releases the region locks, publishing the commit's version so that seqlock readers retry. */
    void unlock(long wv) {
        long published = wv << 2;
        for (int k = 0; k < lockedCount; k++) {
            locked[k].rootBox.soMeta(published);
            locked[k] = null;
        }
        lockedCount = 0;
    }

    /** Releases the region locks of an attempt that failed before installing anything. */
    void unlockUnchanged() {
        for (int k = 0; k < lockedCount; k++) {
            locked[k].rootBox.soMeta(lockedMeta[k]);
            locked[k] = null;
        }
        lockedCount = 0;
    }

    /** Ends the attempt: shadows not installed go back to their pools; the sets are emptied. */
    void end() {
        if (!installed) {
            for (int i = 0; i < wCount; i++) {
                freeShadow(wShadow[i]);
            }
        }
        for (int k = 0; k < oCount; k++) {
            freeShadow(oShadow[k]);
            oShadow[k] = null;
        }
        Arrays.fill(wShadow, 0, wCount, null);
        Arrays.fill(wRegion, 0, wCount, null);
        Arrays.fill(rRegion, 0, rCount, null);
        Arrays.fill(rSeen, 0, rCount, null);
        if (rRegion.length > 4096) {
            rRegion = new Region[8];
            rPage = new int[8];
            rSeen = new Page[8];
        }
        rCount = 0;
        wCount = 0;
        oCount = 0;
        indexed = -1;
        frameCount = 0;
        scope = 0;
        scopeCounter = 0;
        installed = false;
        if (lockedCount != 0) {
            unlockUnchanged(); // never expected: commit always unlocks; kept so a bug cannot leave a region locked
        }
    }
}
