package io.aurora4j.txn;

import io.aurora4j.txn.RegionRoot.Root;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One job: the access paths of a region behind its public methods' inlined fast tests. Reads: outside a scope,
 * one seqlock over the whole read of the live table; inside a transaction, {@link RegionTxn#read}. Writes: the
 * bounds-checked lookup write into a page already copied in this epoch, the raw writer's hot-page promotion,
 * the page-by-page write loop (transactional shadows or raw copy-on-write, {@link #rawWritable}).
 *
 * <p>Static methods over a region, so a call costs what a private method of {@code Region} did (statically
 * bound, inlined alike) and reads the region's fields directly: no extra object or load on any access. The
 * hot-page write and its fields stay in {@code Region}. Thread safety is the region's (see its class comment):
 * raw writes from one writer thread at a time, reads and transactions from any thread.
 */
final class RegionAccessPaths {
    private static final int LEAF_SHIFT = RegionRoot.LEAF_SHIFT;
    private static final int LEAF_MASK = RegionRoot.LEAF_MASK;

    private RegionAccessPaths() {
    }

    // ================================================================== reads

    /** A read of {@code length} bytes from {@code index} (po = offset in its first page). */
    static long read(Region region, long index, int po, int op, Object dst, int dstOff, int length) {
        Region.Scope s = region.scope;
        if (s.thread != Thread.currentThread() || s.txn.active || s.txn.guard != null) { // a guarded thread is checked in enter
            Txn t = region.enter();
            if (t != null) {
                return t.regions().read(region, index, op, dst, dstOff, length);
            }
        }
        // Raw mode: one seqlock over the whole read, so it is one consistent read of committed state.
        RegionRoot rootBox = region.rootBox;
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) != 0) {
                region.table.awaitUnlocked(m, spins);
                continue;
            }
            Root r = rootBox.lvRoot();
            long v = readFrom(region, r, index, op, dst, dstOff, length);
            if (rootBox.lpMetaAfterFence() == m) {
                return v;
            }
        }
    }

    /** {@code n} bytes (a typed value across a page boundary) read into a fresh array. */
    static byte[] readSplit(Region region, long index, int n) {
        byte[] b = new byte[n];
        read(region, index, (int) index & region.pageMask, Region.ARRAY, b, 0, n);
        return b;
    }

    /** Reads from the table {@code r}, page by page; typed ops fit in one page. */
    static long readFrom(Region region, Root r, long index, int op, Object dst, int dstOff, int length) {
        int pageSize = region.pageSize;
        long v = 0;
        int done = 0;
        do {
            long at = index + done;
            int po = (int) at & region.pageMask;
            int n = Math.min(length - done, pageSize - po);
            Page p = RegionPageTable.pageIn(r, (int) (at >>> region.pageShift));
            v = readOp(p, po, op, dst, dstOff + done, n);
            done += n;
        } while (done < length);
        return v;
    }

    static long readOp(Page p, int po, int op, Object dst, int dstOff, int n) {
        switch (op) {
            case Region.LONG:
                return p.getLong(po);
            case Region.INT:
                return p.getInt(po);
            case Region.BYTE:
                return p.getByte(po);
            case Region.ARRAY:
                p.getBytes(po, (byte[]) dst, dstOff, n);
                return 0;
            default:
                p.getBytes(po, (MutableDirectBuffer) dst, dstOff, n);
                return 0;
        }
    }

    // ================================================================== writes

    /** {@link Region#putLong} when the hot page does not take the write. */
    static void putLongLookedUp(Region region, long index, long value) {
        if (index < 0 || index > region.capacity - 8) {
            throw region.outOfBounds(index, 8);
        }
        int po = (int) index & region.pageMask;
        Region.Scope s = region.scope;
        if (s.thread == Thread.currentThread() && !s.txn.active && po <= region.pageMask - 7) {
            int pi = (int) (index >>> region.pageShift);
            Page p = region.leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
            if (p.epoch == region.group.currentEpoch()) { // the page was copied in this epoch already: write in place
                p.putLong(po, value);
                lookedUp(region, p, s);
                return;
            }
        }
        if (po > region.pageSize - 8) {
            byte[] b = new byte[8];
            new UnsafeBuffer(b).putLong(0, value);
            write(region, index, Region.ARRAY, 0, b, 0, 8);
            return;
        }
        write(region, index, Region.LONG, value, null, 0, 8);
    }

    /** {@link Region#putInt} when the hot page does not take the write. */
    static void putIntLookedUp(Region region, long index, int value) {
        if (index < 0 || index > region.capacity - 4) {
            throw region.outOfBounds(index, 4);
        }
        int po = (int) index & region.pageMask;
        Region.Scope s = region.scope;
        if (s.thread == Thread.currentThread() && !s.txn.active && po <= region.pageMask - 3) {
            int pi = (int) (index >>> region.pageShift);
            Page p = region.leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
            if (p.epoch == region.group.currentEpoch()) {
                p.putInt(po, value);
                lookedUp(region, p, s);
                return;
            }
        }
        if (po > region.pageSize - 4) {
            byte[] b = new byte[4];
            new UnsafeBuffer(b).putInt(0, value);
            write(region, index, Region.ARRAY, 0, b, 0, 4);
            return;
        }
        write(region, index, Region.INT, value, null, 0, 4);
    }

    /** {@link Region#putByte} when the hot page does not take the write. */
    static void putByteLookedUp(Region region, long index, byte value) {
        if (index < 0 || index >= region.capacity) {
            throw region.outOfBounds(index, 1);
        }
        Region.Scope s = region.scope;
        if (s.thread == Thread.currentThread() && !s.txn.active) {
            int pi = (int) (index >>> region.pageShift);
            Page p = region.leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
            if (p.epoch == region.group.currentEpoch()) {
                p.putByte((int) index & region.pageMask, value);
                lookedUp(region, p, s);
                return;
            }
        }
        write(region, index, Region.BYTE, value, null, 0, 1);
    }

    /** A raw write found {@code p} by the lookup: the second write in a row to the same page makes it hot. */
    private static void lookedUp(Region region, Page p, Region.Scope s) {
        if (p != region.lastLookedUp) {
            region.lastLookedUp = p; // random writes never pay for making a page hot
        } else if (region.hotPage != p) {
            makeHot(region, p, s);
        }
    }

    /** Raw mode (the scope is this thread's, its transaction inactive): {@code p}, live in this epoch, becomes hot. */
    private static void makeHot(Region region, Page p, Region.Scope s) {
        if (region.excluded) {
            return; // excluded pages are stamped EXCLUDED, never the current epoch: the hot test would never pass
        }
        s.txn.noteHotRegion(region); // so that the thread's next transaction stops the hot writes first
        region.hotOwner = s.thread;
        region.hotPage = p;
    }

    /** The write path other than a raw write to a page already copied in this epoch. */
    static void write(Region region, long index, int op, long value, Object src, int srcOff, int length) {
        Txn t = region.enter();
        RegionTxn rt = t == null ? null : t.regions();
        int pageSize = region.pageSize;
        int done = 0;
        do {
            long at = index + done;
            int po = (int) at & region.pageMask;
            int n = Math.min(length - done, pageSize - po);
            int pi = (int) (at >>> region.pageShift);
            Page p;
            if (rt != null) {
                p = rt.writable(region, pi);
            } else {
                p = rawWritable(region, pi);
                Region.Scope s = region.scope;
                if (s.thread == Thread.currentThread() && !s.txn.active) {
                    makeHot(region, p, s); // just copied: the writer's next writes are likely on this page
                }
            }
            switch (op) {
                case Region.LONG -> p.putLong(po, value);
                case Region.INT -> p.putInt(po, (int) value);
                case Region.BYTE -> p.putByte(po, (byte) value);
                case Region.ARRAY -> p.putBytes(po, (byte[]) src, srcOff + done, n);
                case Region.BUFFER -> p.putBytes(po, (DirectBuffer) src, srcOff + done, n);
                default -> p.setMemory(po, n, (byte) value);
            }
            done += n;
        } while (done < length);
    }

    /**
     * Raw mode: the live page {@code pi}, copied first if this is its first write in the current epoch. The copy
     * is made under the region's lock so that it never interleaves with a commit or a rollback's restore.
     */
    static Page rawWritable(Region region, int pi) {
        Page p = region.leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
        Group group = region.group;
        if (region.excluded ? (p.owner == region) : (p.epoch == group.currentEpoch())) {
            return p;
        }
        // A restored page not loaded yet is read from the store now, before the lock: readers of the region
        // spin while it is held, and must not wait for the store. (newPage loads it anyway if it changed.)
        p.ensureLoaded();
        RegionPageTable table = region.table;
        long m = table.lock();
        Page result;
        Epoch late;
        try {
            // The epoch is read under the lock, as a commit reads it under its locks: the copy and the stamps
            // below belong to one epoch, wholly on one side of any checkpoint's cut.
            Epoch e = group.currentEpoch();
            long releasedUpTo = e.logging ? group.releasedUpTo() : 0;
            Root r = table.writableRoot(e, releasedUpTo);
            Page[] leaf = table.writableLeaf(r, pi >>> LEAF_SHIFT, e);
            Page old = leaf[pi & LEAF_MASK];
            if (region.excluded ? (old.owner == region) : (old.epoch == e && old.owner == region)) {
                result = old;
            } else {
                result = table.newPage(old, pi);
                result.version = group.clockNow();
                table.place(r, leaf, pi & LEAF_MASK, result, e);
            }
        } finally {
            late = table.takePushedLate();
            // The old page is history now, or a zero or a parent's page: seqlock readers that saw it read consistent
            // bytes, so the lock word goes back unchanged — unless taking the new page's chunk reclaimed dead pages.
            boolean freed = region.reclaim.takeFreedUnderLock();
            region.rootBox.soMeta(freed ? group.tick() << 2 : m);
        }
        if (late != null) {
            group.releaseLate(late);
        }
        return result;
    }
}
