package io.aurora4j.txn;

import io.aurora4j.txn.RegionRoot.Root;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Objects;

/**
 * One job: a region as of a checkpoint. A {@link CheckpointView}'s reads (the table as of the checkpoint's cut,
 * read inside the seqlock), the pages a flush or a send writes ({@link #pagesAt}), and the O(1) fork that shares
 * the checkpoint's table ({@link #forkInto}). The tables themselves are {@link RegionPageTable}'s.
 *
 * <p>Stateless (static methods over a region). Thread-safe: views read frozen tables under the seqlock; the
 * callers' duties (retention, the admin lock) are stated on each method.
 */
final class RegionAtCheckpoint {
    private static final int LEAF_SHIFT = RegionRoot.LEAF_SHIFT;

    private RegionAtCheckpoint() {
    }

    /** A view's read: bytes as of {@code cp} (see {@link CheckpointView}). */
    static long readAt(Region region, Checkpoint cp, long index, int length, int op, Object dst, int dstOff) {
        if (region.excluded) {
            throw new IllegalStateException(region + " is excluded from checkpoints: it has no state as of " + cp);
        }
        region.checkBounds(index, length);
        RegionRoot rootBox = region.rootBox;
        long cut = cp.closedEpoch.number;
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) != 0) { // a commit or a rollback is changing the table: wait for it
                region.table.awaitUnlocked(m, spins);
                continue;
            }
            Root live = rootBox.lvRoot();
            UndoEntry h = rootBox.lvHistory();
            long v = RegionAccessPaths.readFrom(region, RegionPageTable.rootAt(cut, h, live), index, op, dst, dstOff, length);
            if (rootBox.lpMetaAfterFence() != m) {
                continue;
            }
            cp.checkRetained(); // the history read above is complete only while the checkpoint is retained
            return v;
        }
    }

    static long viewLong(Region region, Checkpoint cp, long index) {
        if (((int) index & region.pageMask) > region.pageSize - 8) {
            byte[] b = new byte[8];
            readAt(region, cp, index, 8, Region.ARRAY, b, 0);
            return new UnsafeBuffer(b).getLong(0);
        }
        return readAt(region, cp, index, 8, Region.LONG, null, 0);
    }

    static int viewInt(Region region, Checkpoint cp, long index) {
        if (((int) index & region.pageMask) > region.pageSize - 4) {
            byte[] b = new byte[4];
            readAt(region, cp, index, 4, Region.ARRAY, b, 0);
            return new UnsafeBuffer(b).getInt(0);
        }
        return (int) readAt(region, cp, index, 4, Region.INT, null, 0);
    }

    static byte viewByte(Region region, Checkpoint cp, long index) {
        return (byte) readAt(region, cp, index, 1, Region.BYTE, null, 0);
    }

    static void viewBytes(Region region, Checkpoint cp, long index, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        if (length == 0) {
            region.checkBounds(index, 0);
            return;
        }
        readAt(region, cp, index, length, Region.ARRAY, dst, offset);
    }

    /**
     * Hands {@code sink} every page of {@code region} as of {@code cp} that was born in or after epoch {@code since}
     * (all non-zero pages when {@code since < 0}): what changed since the checkpoint that closed epoch {@code since},
     * plus the pages born in that epoch itself. A leaf stamped with an epoch before {@code since} was not copied
     * since and is skipped whole, so the cost is O(leaves + changed pages). The caller (the group's flusher) keeps
     * {@code cp} and every epoch after {@code since} from being released, so the pages handed out are frozen and
     * stay allocated (a page of epoch {@code since} handed out is one the cut still sees, so it is live).
     *
     * <p>Why the pages of epoch {@code since} again: a raw write checks its page's epoch and then stores into it
     * without a fence (the fast path, R1). One that checked before the cut that closed {@code since} can store
     * after it, into a page of {@code since}, after the previous flush read that page: the write is then in memory
     * at every later checkpoint but in no increment, and a reopened group lost it although it completed before
     * the barrier that "made it durable" (found in session 5: a raw {@code putBytes} under a periodic flusher,
     * {@code RawWritesUnderAPeriodicFlusherTest}). Writing those pages once more covers a late store that lands
     * before this flush reads them; a writer stalled between its check and its store across two flushes is the
     * limit the README states.
     */
    static void pagesAt(Region region, Checkpoint cp, long since, Region.PageSink sink) {
        if (region.excluded) {
            return;
        }
        Root root = region.table.stableRootAt(cp.closedEpoch.number);
        for (int li = 0; li < root.leaves.length; li++) {
            Epoch leafEpoch = root.leafEpochs[li]; // frozen: the root is of an epoch at or before the cut
            if (since >= 0 && leafEpoch.number < since) {
                continue;
            }
            Page[] leaf = (Page[]) RegionRoot.LEAVES.getAcquire(root.leaves, li);
            int base = li << LEAF_SHIFT;
            int end = Math.min(RegionRoot.LEAF_SIZE, region.pageCount - base);
            for (int j = 0; j < end; j++) {
                Page p = (Page) RegionRoot.PAGES.getAcquire(leaf, j);
                if (p.isZero() || (since >= 0 && p.epoch.number < since)) {
                    continue;
                }
                long index = (long) base + j;
                long bytes = Math.min(region.pageSize, region.capacity - (index << region.pageShift));
                // A full flush or image reads every page: after a full checkpoint no page needs the records it
                // replaces, so the store may reclaim them (see StoredPages).
                p.ensureLoaded();
                sink.page(index, p, (int) bytes);
            }
        }
    }

    /**
     * A region of {@code target} (a fork of {@code region}'s group) whose contents are {@code region}'s as of
     * {@code cp}: it shares the table root of the checkpoint, O(1). Caller holds the source group's admin lock and
     * has checked that {@code cp} is retained, so nothing it sees can be freed before the pin below is in place.
     */
    static Region forkInto(Region region, Group target, Checkpoint cp, long version) {
        if (region.excluded) {
            return new Region(target, region.id(), region.capacity, region.pageSize, true, version, 0, null, null, 0);
        }
        long cut = cp.closedEpoch.number;
        region.reclaim.pin(cut); // from here on, pages visible at the cut are orphaned, never pooled, while the fork lives
        // A commit of the checkpoint's epoch that is still installing holds the lock: stableRootAt waits for it, so
        // the fork sees the cut complete and no late commit changes a table the fork shares.
        Root shared = region.table.stableRootAt(cut);
        // Group.fork loaded them before taking its lock; this pass only catches what a racing rollback put back
        // (pages of the cut are frozen and, the cut being retained, stay live while we load).
        region.lazy.loadUnloaded(shared);
        // The fork's root shares the checkpoint's arrays, which are frozen for both groups (stamped with an epoch
        // that is current in neither): the fork's first write copies its own root, as the source's does.
        Root root = new Root(RegionPageTable.NEVER, shared.leaves, shared.leafEpochs, null, shared.live, 0);
        return new Region(target, region.id(), region.capacity, region.pageSize, false, version, 0, root, region, cut);
    }
}
