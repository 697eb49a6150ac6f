package io.aurora4j.txn;

import io.aurora4j.txn.RegionRoot.EpochPages;
import io.aurora4j.txn.RegionRoot.Root;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap paged memory that belongs to a {@link Group}: checkpointed, rolled back, viewed and forked with the
 * group's other state, with copy-on-write per page per epoch — Aurora's memory checkpointing (Tsalapatis et
 * al., "The Aurora Single Level Store Operating System", SOSP '21) with a software write barrier in place of
 * the MMU. Created with {@link Group#newRegion(String, long)} or {@link Group#regionBuilder(String)}; found
 * again with {@link Group#region(String)}.
 *
 * <h2>Access</h2>
 * An Agrona-style API over {@code long} offsets: {@link #getLong}/{@link #putLong}, {@link #getInt}/{@link #putInt},
 * {@link #getByte}/{@link #putByte}, {@link #getBytes}/{@link #putBytes} (byte arrays and Agrona
 * {@link DirectBuffer}s), {@link #setMemory}, in the platform's native byte order (as Agrona's
 * {@code UnsafeBuffer}). Every access is bounds-checked; an {@link IndexOutOfBoundsException} names the region,
 * the group, the offset, the length and the capacity. A fresh region reads as zeros and holds no memory:
 * a page is allocated on its first write.
 *
 * <h2>Two modes</h2>
 * <ul>
 *   <li><b>Inside {@link Group#atomic}</b> of its group, accesses are transactional at <em>page</em>
 *   granularity: the first write to a page in a transaction copies the page into a private shadow, later reads
 *   and writes of that page in the transaction use the shadow, and commit installs the shadows with one
 *   reference store each, together with the transaction's other writes. An aborted transaction changes no
 *   byte; a transaction never reads a torn value (reads are validated per page against the transaction's
 *   snapshot, as for {@link TLong}); two transactions that touch the same page, one of them writing,
 *   serialize (one re-runs) even if their bytes differ. Cost: a transaction's first write to a page copies
 *   it ({@link #pageSize()} bytes), so small pages suit write-heavy transactions.</li>
 *   <li><b>Outside any scope</b>, the region is in <em>raw mode</em>: a write goes straight into the page,
 *   as into an {@code UnsafeBuffer}, after copying the page if it is its first write since the last
 *   checkpoint. Raw mode is for <em>one writer thread</em> at a time (hand over with a happens-before edge),
 *   not concurrent with transactions writing the region, nor with {@link Group#rollback} or {@link Group#fork}
 *   of the group (call those from the writer, or pause it). A read outside a scope is one consistent read of
 *   committed state (a seqlock), safe from any thread; it may see a concurrent raw write half done, as a plain
 *   buffer would. Checkpoints, from any thread at any time, capture raw writes consistently: a checkpoint
 *   holds a prefix of the writer's writes, including every write that completed before
 *   {@code checkpoint()} was called. One window: a raw write in progress while <em>another</em> thread takes
 *   a checkpoint may join that checkpoint's prefix after {@code checkpoint()} returned (the write checked the
 *   epoch before the cut and stores after it), so a view read in between may miss it and a later one see it
 *   (model-checks {@code RegionRawWriterConcurrentCheckpointTest}). A checkpoint taken by the writer's thread,
 *   or after a happens-before edge from the writer's last write, never changes once taken.</li>
 * </ul>
 *
 * <h2>Checkpoints, rollback, views, forks (ARCHITECTURE.md invariants 3, 4, 8)</h2>
 * The page table is a persistent two-level table (see {@code RegionRoot}): a checkpoint changes nothing in
 * the region, so it stays O(1) whatever the size. The first write to a page after a checkpoint copies the
 * page (and, first in an epoch, the table's root and the page's leaf of 512 references); every later write
 * to the page costs a plain write plus a compare of the page's epoch. A raw writer's <em>hot page</em> (the
 * page it just copied, or wrote twice in a row) skips even the table lookup: {@link #putLong}, {@link #putInt}
 * and {@link #putByte} check the page's epoch against the group's, the offset against the page's range and the
 * calling thread against the writer's, then store. {@link Group#rollback} puts back the
 * checkpoint's table root — one reference per region — and frees the pages born since in the background.
 * {@link CheckpointView#getLong(Region, long)} and friends read the table as of a checkpoint. A
 * {@link Group#fork fork} shares the checkpoint's root: unchanged pages are shared, copy-on-write in both
 * directions; forking costs O(1) per region, and the fork's clock and epochs are its own.
 *
 * <h2>Exclusion (Aurora's {@code sls_mctl})</h2>
 * A region built with {@link Builder#excludedFromCheckpoints()} is outside checkpoints: writes never copy,
 * a rollback leaves its contents unchanged, views refuse it and a fork gets it empty. Use it for scratch
 * buffers and caches that can be rebuilt. Transactions on it are still atomic and isolated.
 *
 * <h2>Memory</h2>
 * Pages live in off-heap slabs of the region's pool. A page is returned to the pool as soon as nothing can
 * see it: at once when a transaction replaces a page born in the same epoch, when a rollback discards the
 * pages born after its checkpoint, or when the last retained checkpoint that saw a replaced page leaves
 * retention. The last two are queued and returned by the region's own allocation path (before it takes new
 * memory) or by {@link #stats()}, never by waking another thread. A page that a fork may still see is handed
 * to the garbage collector instead and comes back to the pool when unreachable. {@link #stats()} reports live, shared, history-held, pooled and allocated pages.
 * Closing the group drops the region's memory; the JDK unmaps slabs once unreachable, so a thread racing with
 * the close reads stale bytes at worst.
 *
 * <h2>Recovery is lazy</h2>
 * A region recovered by {@link Group#open} (or {@link Group#receive}) is restored lazily, as Aurora maps an image
 * and faults pages in: the open builds the page table with placeholders and reads no page, and each page is read
 * from the store, once, when something first needs its bytes. What pays for the loads: the first read of a page
 * (raw, transactional or through a view), the first write to it (a write copies its page), a flush that writes
 * the whole state (after a rollback below what is on disk, or when the store advises one to reclaim space: it
 * reads every page not loaded yet), {@link Group#send} (every page it writes), and the first {@link Group#fork}
 * after the recovery (it loads every page not loaded yet, so that the fork does not depend on this group's
 * store, which closes with this group). Placeholders count as {@link Stats#livePages() live pages} and
 * {@link Stats#unloadedPages() unloaded pages}, not as {@link Stats#allocatedPages() allocated} ones. A page
 * the store can no longer give (its store closed under the group, a read failed) fails the access with an
 * exception naming the region, the page and the store ({@link IllegalStateException} if the store is closed,
 * {@link io.aurora4j.store.StoreException} if the read failed); the page stays unloaded and a later access
 * tries again.
 *
 * <h2>JVM flag</h2>
 * Agrona 2 reaches {@code jdk.internal.misc.Unsafe}, so a JVM that uses regions needs
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (class path) or
 * {@code --add-exports java.base/jdk.internal.misc=org.agrona} (module path); without it, creating a region
 * fails with an {@link IllegalStateException} naming the flag.
 *
 * <h2>States</h2>
 * <table class="striped">
 *   <caption>What each operation does in each state of the region</caption>
 *   <tr><th>operation</th><th>live</th><th>group closed</th><th>discarded (created after the checkpoint a rollback returned to)</th></tr>
 *   <tr><td>get/put/setMemory inside a transaction of its group</td><td>transactional, page granularity</td><td rowspan="3">{@link IllegalStateException} naming the group</td><td rowspan="3">{@link IllegalStateException} naming the region</td></tr>
 *   <tr><td>get/put/setMemory outside any scope</td><td>raw mode (see above)</td></tr>
 *   <tr><td>inside a transaction of another group</td><td>{@link IllegalArgumentException}</td></tr>
 *   <tr><td>out-of-bounds offset or length</td><td colspan="3">{@link IndexOutOfBoundsException} naming region, offset, length, capacity</td></tr>
 *   <tr><td>{@link #stats()}, {@link #id()}, {@link #capacity()}</td><td colspan="3">always answer</td></tr>
 * </table>
 *
 * <p>Thread-safe for transactions and reads; raw writes have one writer at a time, as described above.
 */
public final class Region implements StateObject {
    /** Stamp of the shared zero leaves and of a new region's first root: never an epoch of any group. */
    private static final Epoch NEVER = new Epoch(-1, false, null, null);
    /** Stamp of an excluded region's private leaves and pages. */
    private static final Epoch EXCLUDED = new Epoch(-2, false, null, null);
    /**
     * The page of zeros shared by the regions of each page size, held weakly: it goes (and the JDK frees its
     * direct memory) once no region of that size is left. A strong cache kept a received image's 1 GiB zero page
     * for the life of the JVM (issue #10).
     */
    private static final ConcurrentHashMap<Integer, java.lang.ref.WeakReference<Page>> ZERO_PAGES = new ConcurrentHashMap<>();
    static final int MIN_PAGE_SIZE = 64;
    /**
     * The largest page of a region recovered from a store: stores written before pages were limited to
     * {@link io.aurora4j.store.StoreLimits#MAX_PAGE_SIZE} may hold larger ones, and still open.
     */
    static final int MAX_STORED_PAGE_SIZE = 1 << 30;
    static final int DEFAULT_PAGE_SIZE = 4096;

    private static final int LEAF_SHIFT = RegionRoot.LEAF_SHIFT;
    private static final int LEAF_MASK = RegionRoot.LEAF_MASK;
    private static final int LOCK_SPINS = 256;

    private static final int LONG = 0;
    private static final int INT = 1;
    private static final int BYTE = 2;
    private static final int ARRAY = 3;
    private static final int BUFFER = 4;
    private static final int FILL = 5;

    final Group group;
    private final String id;
    private final long capacity;
    private final int pageSize;
    private final int pageShift;
    private final int pageMask;
    private final int pageCount;
    private final boolean excluded;
    final long createdEpoch;
    final RegionRoot rootBox;
    final PagePool pool;
    private final Page zero;

    /** The live root's leaves, for the raw write path; kept equal to the root box's by {@link RegionRoot#spRoot}. */
    Page[][] leaves;
    /** The last thread that used the region and its transaction descriptor: the raw path's scope test. */
    private Scope scope = Scope.NONE;
    /**
     * The raw writer's hot page: the page it wrote last (twice in a row, or just copied), written in place by
     * {@link #putLong}/{@link #putInt}/{@link #putByte} without the two-level lookup while it is still the live page
     * of the current epoch and {@link #hotOwner} is the calling thread. It stops being used when: a checkpoint
     * or rollback opens a new epoch (the page's epoch no longer matches, read from the group's volatile
     * {@code currentEpoch} on every write, so a checkpoint from any thread is seen at once, as before);
     * the page leaves the live table ({@link #place}, by a commit or a raw copy, resets it: raw mode is not
     * concurrent with commits, so that reset happens-before the writer's next write); the owner thread starts a
     * transaction ({@link Txn#begin} resets the regions it noted); the region is closed or discarded. The zero
     * page (never the current epoch) stands for "none".
     */
    private Page hotPage;
    private Thread hotOwner;
    /** The raw writer's last page found by the lookup: a second write in a row to it makes it the hot page. */
    private Page lastLookedUp;

    private final Region parent;
    private final long parentCut;
    private final Object pinLock = new Object();
    private long[] pins = new long[0]; // guarded by pinLock: cuts of live forks, sorted, with repeats
    private boolean parentReleased; // guarded by pinLock
    private volatile boolean closed;
    private volatile boolean discarded;
    private final AtomicLong historyPages = new AtomicLong();
    /** Where the pages of a region recovered from a store are until loaded; null for other regions. */
    private volatile StoredPages storedPages;

    /** An immutable (thread, its transaction) pair: read racily, consistent because immutable. */
    private static final class Scope {
        static final Scope NONE = new Scope(null, null);
        final Thread thread;
        final Txn txn;

        Scope(Thread thread, Txn txn) {
            this.thread = thread;
            this.txn = txn;
        }
    }

    Region(Group group, String id, long capacity, int pageSize, boolean excluded, long version, long createdEpoch,
           Root inherited, Region parent, long parentCut) {
        this.group = group;
        this.id = id;
        this.capacity = capacity;
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.pageMask = pageSize - 1;
        long pages = (capacity + pageSize - 1) >>> pageShift;
        this.pageCount = (int) pages;
        this.excluded = excluded;
        this.createdEpoch = createdEpoch;
        this.pool = new PagePool(pageSize);
        this.zero = zeroPage(pageSize);
        this.hotPage = zero;
        this.lastLookedUp = zero;
        this.parent = parent;
        this.parentCut = parentCut;
        Root root = inherited != null ? inherited : emptyRoot();
        this.rootBox = new RegionRoot(this, group, version, root);
        this.leaves = root.leaves;
    }

    /** The shared page of zeros of {@code size} bytes, made again if every region of that size has gone. */
    private static Page zeroPage(int size) {
        while (true) {
            java.lang.ref.WeakReference<Page> ref = ZERO_PAGES.get(size);
            Page p = ref == null ? null : ref.get();
            if (p != null) {
                return p;
            }
            Page fresh = new Page(ByteBuffer.allocateDirect(size), NEVER);
            boolean won = ref == null ? ZERO_PAGES.putIfAbsent(size, new java.lang.ref.WeakReference<>(fresh)) == null
                    : ZERO_PAGES.replace(size, ref, new java.lang.ref.WeakReference<>(fresh));
            if (won) {
                return fresh;
            }
            // another region made one meanwhile: share it (ours is dropped before anything saw it)
        }
    }

    private Root emptyRoot() {
        int dir = (pageCount + LEAF_MASK) >>> LEAF_SHIFT;
        Page[] zeroLeaf = new Page[RegionRoot.LEAF_SIZE];
        Arrays.fill(zeroLeaf, zero);
        Page[][] ls = new Page[dir][];
        Arrays.fill(ls, zeroLeaf); // shared and frozen (stamped NEVER): the first write to a leaf copies it
        Epoch[] stamps = new Epoch[dir];
        Arrays.fill(stamps, NEVER);
        return new Root(excluded ? EXCLUDED : NEVER, ls, stamps, null, 0, 0);
    }

    private static volatile boolean agronaUsable;

    /** Agrona 2 reaches {@code jdk.internal.misc.Unsafe}: without the export, say which flag is missing. */
    static void checkAgrona(String id) {
        if (agronaUsable) {
            return;
        }
        try {
            new UnsafeBuffer(new byte[8]).putLong(0, 1L);
            agronaUsable = true;
        } catch (LinkageError e) {
            throw new IllegalStateException("region '" + id + "' needs Agrona's off-heap buffers, and Agrona 2 needs the JVM"
                    + " flag --add-exports java.base/jdk.internal.misc=ALL-UNNAMED (on the class path) or"
                    + " --add-exports java.base/jdk.internal.misc=org.agrona (on the module path)", e);
        }
    }

    static void checkSettings(String id, long capacity, int pageSize, int maxPageSize) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("region '" + id + "': capacity must be positive, was " + capacity);
        }
        if (pageSize < MIN_PAGE_SIZE || pageSize > maxPageSize || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("region '" + id + "': page size must be a power of two from " + MIN_PAGE_SIZE
                    + " to " + maxPageSize + (maxPageSize == io.aurora4j.store.StoreLimits.MAX_PAGE_SIZE
                    ? " (StoreLimits.MAX_PAGE_SIZE, 32 MiB: the largest page an image read with default limits holds)" : "")
                    + ", was " + pageSize);
        }
        // capacity / pageSize rounded up, without capacity + pageSize - 1, which overflows near Long.MAX_VALUE
        long pages = capacity / pageSize + (capacity % pageSize == 0 ? 0 : 1);
        if (pages > Integer.MAX_VALUE - RegionRoot.LEAF_SIZE) {
            throw new IllegalArgumentException("region '" + id + "': " + capacity + " bytes in pages of " + pageSize
                    + " is " + pages + " pages, more than a region holds (" + (Integer.MAX_VALUE - RegionRoot.LEAF_SIZE)
                    + "); use larger pages");
        }
    }

    // ================================================================== identity

    @Override
    public String id() {
        return id;
    }

    @Override
    public Group group() {
        return group;
    }

    /** The size in bytes: valid offsets are {@code 0 .. capacity() - 1}. */
    public long capacity() {
        return capacity;
    }

    /** The page size in bytes: the unit of copy-on-write and of transactional conflict. */
    public int pageSize() {
        return pageSize;
    }

    /** Whether the region is excluded from checkpoints (see the class comment). */
    public boolean isExcludedFromCheckpoints() {
        return excluded;
    }

    @Override
    public String toString() {
        return "Region '" + id + "' of group '" + group.name() + "' (" + capacity + " bytes, pages of " + pageSize + ")";
    }

    // ================================================================== reads

    /** The {@code long} at {@code index} (native byte order). */
    public long getLong(long index) {
        checkBounds(index, 8);
        int po = (int) index & pageMask;
        if (po > pageSize - 8) {
            return new UnsafeBuffer(readSplit(index, 8)).getLong(0);
        }
        return read(index, po, LONG, null, 0, 8);
    }

    /** The {@code int} at {@code index} (native byte order). */
    public int getInt(long index) {
        checkBounds(index, 4);
        int po = (int) index & pageMask;
        if (po > pageSize - 4) {
            return new UnsafeBuffer(readSplit(index, 4)).getInt(0);
        }
        return (int) read(index, po, INT, null, 0, 4);
    }

    /** The byte at {@code index}. */
    public byte getByte(long index) {
        checkBounds(index, 1);
        return (byte) read(index, (int) index & pageMask, BYTE, null, 0, 1);
    }

    /** Copies {@code dst.length} bytes from {@code index} into {@code dst}. */
    public void getBytes(long index, byte[] dst) {
        getBytes(index, dst, 0, dst.length);
    }

    /** Copies {@code length} bytes from {@code index} into {@code dst} at {@code offset}. */
    public void getBytes(long index, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        checkBounds(index, length);
        if (length == 0) {
            return;
        }
        read(index, (int) index & pageMask, ARRAY, dst, offset, length);
    }

    /** Copies {@code length} bytes from {@code index} into {@code dst} at {@code dstIndex}. */
    public void getBytes(long index, MutableDirectBuffer dst, int dstIndex, int length) {
        Objects.checkFromIndexSize(dstIndex, length, dst.capacity());
        checkBounds(index, length);
        if (length == 0) {
            return;
        }
        read(index, (int) index & pageMask, BUFFER, dst, dstIndex, length);
    }

    private byte[] readSplit(long index, int n) {
        byte[] b = new byte[n];
        read(index, (int) index & pageMask, ARRAY, b, 0, n);
        return b;
    }

    /** A read of {@code length} bytes from {@code index} (po = offset in its first page). */
    private long read(long index, int po, int op, Object dst, int dstOff, int length) {
        Scope s = scope;
        if (s.thread != Thread.currentThread() || s.txn.active || s.txn.guard != null) { // a guarded thread is checked in enter
            Txn t = enter();
            if (t != null) {
                return txRead(t, index, op, dst, dstOff, length);
            }
        }
        // Raw mode: one seqlock over the whole read, so it is one consistent read of committed state.
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) != 0) {
                awaitUnlocked(m, spins);
                continue;
            }
            Root r = rootBox.lvRoot();
            long v = readFrom(r, index, op, dst, dstOff, length);
            if (rootBox.lpMetaAfterFence() == m) {
                return v;
            }
        }
    }

    /** Reads from the table {@code r}, page by page; typed ops fit in one page. */
    private long readFrom(Root r, long index, int op, Object dst, int dstOff, int length) {
        long v = 0;
        int done = 0;
        do {
            long at = index + done;
            int po = (int) at & pageMask;
            int n = Math.min(length - done, pageSize - po);
            Page p = pageIn(r, (int) (at >>> pageShift));
            v = readOp(p, po, op, dst, dstOff + done, n);
            done += n;
        } while (done < length);
        return v;
    }

    private static long readOp(Page p, int po, int op, Object dst, int dstOff, int n) {
        switch (op) {
            case LONG:
                return p.getLong(po);
            case INT:
                return p.getInt(po);
            case BYTE:
                return p.getByte(po);
            case ARRAY:
                p.getBytes(po, (byte[]) dst, dstOff, n);
                return 0;
            default:
                p.getBytes(po, (MutableDirectBuffer) dst, dstOff, n);
                return 0;
        }
    }

    /** Transactional read: each page validated against the snapshot (TL2), shadows read directly. */
    private long txRead(Txn t, long index, int op, Object dst, int dstOff, int length) {
        RegionTxn rt = t.regions();
        long v = 0;
        int done = 0;
        do {
            long at = index + done;
            int po = (int) at & pageMask;
            int n = Math.min(length - done, pageSize - po);
            int pi = (int) (at >>> pageShift);
            Page shadow = rt.shadowFor(this, pi);
            if (shadow != null) {
                v = readOp(shadow, po, op, dst, dstOff + done, n);
            } else {
                for (int spins = 0; ; spins++) {
                    long m = rootBox.lvMeta();
                    if ((m & VBox.LOCKED) != 0) {
                        t.awaitRegion(rootBox, m, spins);
                        continue;
                    }
                    Page p = livePage(pi);
                    v = readOp(p, po, op, dst, dstOff + done, n);
                    if (rootBox.lpMetaAfterFence() != m) {
                        continue; // a commit or rollback changed the table while we read: read again
                    }
                    // A page's version is its commit's; the lock word's is the region's last commit or restore.
                    // A rollback restores pages with their old versions and publishes a fresh one in the lock word,
                    // so taking the larger makes a read after a restore extend (and fail) like a box's read would.
                    if (!t.admitRegionRead(rootBox, Math.max(p.version, VBox.version(m)))) {
                        continue; // the snapshot was extended: read again at the new read version
                    }
                    rt.addRead(this, pi, p);
                    break;
                }
            }
            done += n;
        } while (done < length);
        return v;
    }

    // ================================================================== writes

    /** Writes a {@code long} at {@code index} (native byte order). */
    public void putLong(long index, long value) {
        Epoch e = group.currentEpoch(); // volatile, read first: the loads below cannot be hoisted out of a loop
        Page h = hotPage;
        long off = index - h.base;
        if (h.epoch == e && off >= 0 && off <= h.length - 8 && hotOwner == Thread.currentThread()) {
            UnsafeApi.putLong(h.addressOffset() + off, value); // bounds: within the hot page, so within the region
            return;
        }
        putLongLookedUp(index, value);
    }

    private void putLongLookedUp(long index, long value) {
        if (index < 0 || index > capacity - 8) {
            throw outOfBounds(index, 8);
        }
        int po = (int) index & pageMask;
        Scope s = scope;
        if (s.thread == Thread.currentThread() && !s.txn.active && po <= pageMask - 7) {
            int pi = (int) (index >>> pageShift);
            Page p = leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
            if (p.epoch == group.currentEpoch()) { // the page was copied in this epoch already: write in place
                p.putLong(po, value);
                lookedUp(p, s);
                return;
            }
        }
        if (po > pageSize - 8) {
            byte[] b = new byte[8];
            new UnsafeBuffer(b).putLong(0, value);
            write(index, ARRAY, 0, b, 0, 8);
            return;
        }
        write(index, LONG, value, null, 0, 8);
    }

    /** Writes an {@code int} at {@code index} (native byte order). */
    public void putInt(long index, int value) {
        Epoch e = group.currentEpoch(); // see putLong
        Page h = hotPage;
        long off = index - h.base;
        if (h.epoch == e && off >= 0 && off <= h.length - 4 && hotOwner == Thread.currentThread()) {
            UnsafeApi.putInt(h.addressOffset() + off, value);
            return;
        }
        putIntLookedUp(index, value);
    }

    private void putIntLookedUp(long index, int value) {
        if (index < 0 || index > capacity - 4) {
            throw outOfBounds(index, 4);
        }
        int po = (int) index & pageMask;
        Scope s = scope;
        if (s.thread == Thread.currentThread() && !s.txn.active && po <= pageMask - 3) {
            int pi = (int) (index >>> pageShift);
            Page p = leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
            if (p.epoch == group.currentEpoch()) {
                p.putInt(po, value);
                lookedUp(p, s);
                return;
            }
        }
        if (po > pageSize - 4) {
            byte[] b = new byte[4];
            new UnsafeBuffer(b).putInt(0, value);
            write(index, ARRAY, 0, b, 0, 4);
            return;
        }
        write(index, INT, value, null, 0, 4);
    }

    /** Writes a byte at {@code index}. */
    public void putByte(long index, byte value) {
        Epoch e = group.currentEpoch(); // see putLong
        Page h = hotPage;
        long off = index - h.base;
        if (h.epoch == e && off >= 0 && off < h.length && hotOwner == Thread.currentThread()) {
            UnsafeApi.putByte(h.addressOffset() + off, value);
            return;
        }
        putByteLookedUp(index, value);
    }

    private void putByteLookedUp(long index, byte value) {
        if (index < 0 || index >= capacity) {
            throw outOfBounds(index, 1);
        }
        Scope s = scope;
        if (s.thread == Thread.currentThread() && !s.txn.active) {
            int pi = (int) (index >>> pageShift);
            Page p = leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
            if (p.epoch == group.currentEpoch()) {
                p.putByte((int) index & pageMask, value);
                lookedUp(p, s);
                return;
            }
        }
        write(index, BYTE, value, null, 0, 1);
    }

    /** A raw write found {@code p} by the lookup: the second write in a row to the same page makes it hot. */
    private void lookedUp(Page p, Scope s) {
        if (p != lastLookedUp) {
            lastLookedUp = p; // random writes never pay for making a page hot
        } else if (hotPage != p) {
            makeHot(p, s);
        }
    }

    /** Raw mode (the scope is this thread's, its transaction inactive): {@code p}, live in this epoch, becomes hot. */
    private void makeHot(Page p, Scope s) {
        if (excluded) {
            return; // excluded pages are stamped EXCLUDED, never the current epoch: the hot test would never pass
        }
        s.txn.noteHotRegion(this); // so that the thread's next transaction stops the hot writes first
        hotOwner = s.thread;
        hotPage = p;
    }

    /** The thread {@code owner} starts a transaction: its raw hot page must not take transactional writes. */
    void dropHot(Thread owner) {
        if (hotOwner == owner) {
            hotPage = zero;
        }
    }

    /** Copies all of {@code src} to {@code index}. */
    public void putBytes(long index, byte[] src) {
        putBytes(index, src, 0, src.length);
    }

    /** Copies {@code length} bytes of {@code src} from {@code offset} to {@code index}. */
    public void putBytes(long index, byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        checkBounds(index, length);
        if (length == 0) {
            return;
        }
        write(index, ARRAY, 0, src, offset, length);
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcIndex} to {@code index}. */
    public void putBytes(long index, DirectBuffer src, int srcIndex, int length) {
        Objects.checkFromIndexSize(srcIndex, length, src.capacity());
        checkBounds(index, length);
        if (length == 0) {
            return;
        }
        write(index, BUFFER, 0, src, srcIndex, length);
    }

    /** Sets {@code length} bytes from {@code index} to {@code value}. */
    public void setMemory(long index, long length, byte value) {
        checkBounds(index, length);
        if (length == 0) {
            return;
        }
        long done = 0;
        do { // in chunks of at most a page so that the write path's int lengths hold
            int n = (int) Math.min(length - done, pageSize - ((index + done) & pageMask));
            write(index + done, FILL, value, null, 0, n);
            done += n;
        } while (done < length);
    }

    /** The write path other than a raw write to a page already copied in this epoch. */
    private void write(long index, int op, long value, Object src, int srcOff, int length) {
        Txn t = enter();
        RegionTxn rt = t == null ? null : t.regions();
        int done = 0;
        do {
            long at = index + done;
            int po = (int) at & pageMask;
            int n = Math.min(length - done, pageSize - po);
            int pi = (int) (at >>> pageShift);
            Page p;
            if (rt != null) {
                p = rt.writable(this, pi);
            } else {
                p = rawWritable(pi);
                Scope s = scope;
                if (s.thread == Thread.currentThread() && !s.txn.active) {
                    makeHot(p, s); // just copied: the writer's next writes are likely on this page
                }
            }
            switch (op) {
                case LONG -> p.putLong(po, value);
                case INT -> p.putInt(po, (int) value);
                case BYTE -> p.putByte(po, (byte) value);
                case ARRAY -> p.putBytes(po, (byte[]) src, srcOff + done, n);
                case BUFFER -> p.putBytes(po, (DirectBuffer) src, srcOff + done, n);
                default -> p.setMemory(po, n, (byte) value);
            }
            done += n;
        } while (done < length);
    }

    /**
     * Raw mode: the live page {@code pi}, copied first if this is its first write in the current epoch. The copy
     * is made under the region's lock so that it never interleaves with a commit or a rollback's restore.
     */
    private Page rawWritable(int pi) {
        Page p = leaves[pi >>> LEAF_SHIFT][pi & LEAF_MASK];
        if (excluded ? (p.owner == this) : (p.epoch == group.currentEpoch())) {
            return p;
        }
        // A restored page not loaded yet is read from the store now, before the lock: readers of the region
        // spin while it is held, and must not wait for the store. (newPage loads it anyway if it changed.)
        p.ensureLoaded();
        long m = lockTree();
        Page result;
        Epoch late;
        try {
            // The epoch is read under the lock, as a commit reads it under its locks: the copy and the stamps
            // below belong to one epoch, wholly on one side of any checkpoint's cut.
            Epoch e = group.currentEpoch();
            long releasedUpTo = e.logging ? group.releasedUpTo() : 0;
            Root r = writableRoot(e, releasedUpTo);
            Page[] leaf = writableLeaf(r, pi >>> LEAF_SHIFT, e);
            Page old = leaf[pi & LEAF_MASK];
            if (excluded ? (old.owner == this) : (old.epoch == e && old.owner == this)) {
                result = old;
            } else {
                result = newPage(old, pi);
                result.version = group.clockNow();
                place(r, leaf, pi & LEAF_MASK, result, e);
            }
        } finally {
            late = pushedLate;
            pushedLate = null;
            // The old page is history now, or a zero or a parent's page: seqlock readers that saw it read consistent
            // bytes, so the lock word goes back unchanged — unless taking the new page's chunk reclaimed dead pages.
            boolean freed = freedUnderLock;
            freedUnderLock = false;
            rootBox.soMeta(freed ? group.tick() << 2 : m);
        }
        if (late != null) {
            group.releaseLate(late);
        }
        return result;
    }

    private long lockTree() {
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) == 0) {
                if (rootBox.casMeta(m, m | VBox.LOCKED)) {
                    return m;
                }
            } else {
                awaitUnlocked(m, spins);
            }
        }
    }

    private void awaitUnlocked(long m, int spins) {
        if ((m & VBox.DEAD) != 0) {
            checkUsable();
            throw rootBox.discardedError();
        }
        Backoff.spin(spins);
    }

    // ================================================================== the table (lock holder only)

    /** Set by {@link #writableRoot} when it pushed a pre-image into an epoch that already left retention. */
    private Epoch pushedLate;

    /**
     * The live root, writable in epoch {@code e}: copied first if it belongs to an older epoch, and then, in a
     * logging epoch, the old root is pushed as the epoch's pre-image (undo list and history) before the new
     * root is published, so that a view that finds the new root also finds the one it replaced.
     */
    private Root writableRoot(Epoch e, long releasedUpTo) {
        Root r = rootBox.lvRoot();
        if (excluded || r.epoch == e) {
            return r;
        }
        EpochPages record = e.logging ? new EpochPages(e.number) : null;
        Root copy = new Root(e, r.leaves.clone(), r.leafEpochs.clone(), record, r.live, 0);
        if (record != null) {
            UndoEntry pre = new UndoEntry(rootBox, e.number, 0L, new RegionRoot.Pre(r, record));
            rootBox.pushHistory(pre, releasedUpTo);
            e.pushAll(pre, pre);
            group.countPreImages(1);
            if (e.number <= group.releasedUpTo()) {
                pushedLate = e; // the epoch left retention while we were writing: release it again
            }
        }
        rootBox.spRoot(copy);
        return copy;
    }

    /** Leaf {@code li} of the writable root {@code r}, copied first if it belongs to an older epoch. */
    private Page[] writableLeaf(Root r, int li, Epoch e) {
        Epoch stamp = excluded ? EXCLUDED : e;
        if (r.leafEpochs[li] == stamp) {
            return r.leaves[li];
        }
        Page[] copy = r.leaves[li].clone();
        r.leafEpochs[li] = stamp;
        RegionRoot.LEAVES.setRelease(r.leaves, li, copy); // the copy is complete before readers can find it
        return copy;
    }

    /** Puts {@code fresh} (its bytes complete, its version set) in slot {@code j} of a writable leaf; retires the old page. */
    private void place(Root r, Page[] leaf, int j, Page fresh, Epoch e) {
        Page old = leaf[j];
        if (old == hotPage) {
            hotPage = zero; // old may be freed below; a raw writer comes after this commit (happens-before), see hotPage
        }
        if (old == lastLookedUp) {
            lastLookedUp = zero;
        }
        fresh.epoch = excluded ? EXCLUDED : e;
        // Release: a reader that finds the page finds its bytes (copied above with plain stores) and its stamps.
        RegionRoot.PAGES.setRelease(leaf, j, fresh);
        if (old.isZero()) {
            r.live++;
        }
        r.exclusive++;
        if (r.record != null) {
            r.record.addBorn(fresh);
        }
        if (old.isZero()) {
            return;
        }
        if (excluded) {
            free(old);
        } else if (old.owner == this && old.epoch == e) {
            r.exclusive--;
            free(old); // born in this epoch: no checkpoint and no fork can see it
        } else if (r.record != null) {
            r.record.addDied(old); // retained checkpoints may see it: freed when its epoch leaves retention
            historyPages.incrementAndGet();
        } else {
            release(old, Long.MAX_VALUE); // no checkpoint of this group sees it; a fork may
        }
    }

    /** A new page of this region holding a copy of {@code from} (zeros for the zero page). */
    private Page newPage(Page from, int pi) {
        boolean zeros = from.isZero();
        if (!zeros) {
            from.ensureLoaded(); // before taking a chunk: a failed load leaves nothing behind
        }
        Page p = newPageObject(takeChunk(zeros, true), pi); // newPage runs under the region's lock (rawWritable)
        if (!zeros) {
            p.putBytes(0, from, 0, pageSize);
        }
        return p;
    }

    private Page newPageObject(PagePool.Chunk chunk, int pi) {
        long base = (long) pi << pageShift;
        return new Page(pool, chunk, this, pageSize, base, (int) Math.min(pageSize, capacity - base));
    }

    /**
     * A transaction's shadow of page {@code pi}: a copy of the live page taken inside the seqlock, whose page is
     * recorded as read (so commit validates that the page the copy came from is still the live one).
     */
    Page newShadow(Txn t, RegionTxn rt, int pi) {
        Page shadow = newPageObject(takeChunk(false), pi);
        try {
            for (int spins = 0; ; spins++) {
                long m = rootBox.lvMeta();
                if ((m & VBox.LOCKED) != 0) {
                    t.awaitRegion(rootBox, m, spins);
                    continue;
                }
                Page p = livePage(pi);
                shadow.putBytes(0, p, 0, pageSize);
                if (rootBox.lpMetaAfterFence() != m) {
                    continue;
                }
                if (!t.admitRegionRead(rootBox, Math.max(p.version, VBox.version(m)))) {
                    continue; // see txRead
                }
                rt.addRead(this, pi, p);
                return shadow;
            }
        } catch (Throwable e) {
            freeShadow(shadow);
            throw e;
        }
    }

    /** A nested scope's copy of an enclosing scope's shadow. */
    Page copyShadow(Page shadow) {
        Page p = newPageObject(takeChunk(false), (int) (shadow.base >>> pageShift));
        p.putBytes(0, shadow, 0, pageSize);
        return p;
    }

    void freeShadow(Page shadow) {
        free(shadow);
    }

    /**
     * Commit (region and boxes locked, reads validated, {@code e} read under the locks): installs a
     * transaction's shadow of page {@code pi}. Returns an epoch to release late, or null.
     */
    Epoch installShadow(int pi, Page shadow, Epoch e, long wv, long releasedUpTo) {
        Root r = writableRoot(e, releasedUpTo);
        Page[] leaf = writableLeaf(r, pi >>> LEAF_SHIFT, e);
        shadow.version = wv;
        place(r, leaf, pi & LEAF_MASK, shadow, e);
        Epoch late = pushedLate;
        pushedLate = null;
        return late;
    }

    // ================================================================== lookups

    /** The live page {@code pi} (acquire loads: its bytes are visible). */
    Page livePage(int pi) {
        return pageIn(rootBox.lvRoot(), pi);
    }

    private static Page pageIn(Root r, int pi) {
        Page[] leaf = (Page[]) RegionRoot.LEAVES.getAcquire(r.leaves, pi >>> LEAF_SHIFT);
        Page p = (Page) RegionRoot.PAGES.getAcquire(leaf, pi & LEAF_MASK);
        p.ensureLoaded(); // every reader of bytes comes through here: a restored page is read from the store once
        return p;
    }

    /** The table as of {@code cp}: the oldest root pre-image pushed after the cut, else the live root. Seqlock held by caller. */
    private Root rootAt(long cut, UndoEntry history, Root live) {
        UndoEntry oldestAfterCut = null;
        for (UndoEntry e = history; e != null && e.epoch > cut; e = e.older) {
            oldestAfterCut = e;
        }
        return oldestAfterCut == null ? live : ((RegionRoot.Pre) oldestAfterCut.oldRef).root();
    }

    /**
     * The table as of the cut, read inside the seqlock: waits while a commit or rollback holds the region's lock,
     * and reads again if the lock word changed meanwhile.
     */
    private Root stableRootAt(long cut) {
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) != 0) {
                awaitUnlocked(m, spins);
                continue;
            }
            Root live = rootBox.lvRoot(); // before the history: a writer pushes the old root before publishing the new
            UndoEntry h = rootBox.lvHistory();
            Root root = rootAt(cut, h, live);
            if (rootBox.lpMetaAfterFence() == m) {
                return root;
            }
        }
    }

    /** A view's read: bytes as of {@code cp} (see {@link CheckpointView}). */
    long readAt(Checkpoint cp, long index, int length, int op, Object dst, int dstOff) {
        if (excluded) {
            throw new IllegalStateException(this + " is excluded from checkpoints: it has no state as of " + cp);
        }
        checkBounds(index, length);
        long cut = cp.closedEpoch.number;
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) != 0) { // a commit or a rollback is changing the table: wait for it
                awaitUnlocked(m, spins);
                continue;
            }
            Root live = rootBox.lvRoot();
            UndoEntry h = rootBox.lvHistory();
            long v = readFrom(rootAt(cut, h, live), index, op, dst, dstOff, length);
            if (rootBox.lpMetaAfterFence() != m) {
                continue;
            }
            cp.checkRetained(); // the history read above is complete only while the checkpoint is retained
            return v;
        }
    }

    long viewLong(Checkpoint cp, long index) {
        if (((int) index & pageMask) > pageSize - 8) {
            byte[] b = new byte[8];
            readAt(cp, index, 8, ARRAY, b, 0);
            return new UnsafeBuffer(b).getLong(0);
        }
        return readAt(cp, index, 8, LONG, null, 0);
    }

    int viewInt(Checkpoint cp, long index) {
        if (((int) index & pageMask) > pageSize - 4) {
            byte[] b = new byte[4];
            readAt(cp, index, 4, ARRAY, b, 0);
            return new UnsafeBuffer(b).getInt(0);
        }
        return (int) readAt(cp, index, 4, INT, null, 0);
    }

    byte viewByte(Checkpoint cp, long index) {
        return (byte) readAt(cp, index, 1, BYTE, null, 0);
    }

    void viewBytes(Checkpoint cp, long index, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        if (length == 0) {
            checkBounds(index, 0);
            return;
        }
        readAt(cp, index, length, ARRAY, dst, offset);
    }

    // ================================================================== durability

    /** Receives the pages a flush writes. */
    interface PageSink {
        void page(long index, Page page, int length);
    }

    /**
     * Hands {@code sink} every page of this region as of {@code cp} that was born after epoch {@code since} (all
     * non-zero pages when {@code since < 0}): what changed since the checkpoint that closed epoch {@code since}.
     * A leaf stamped with an epoch at or before {@code since} was not copied after it and is skipped whole, so
     * the cost is O(leaves + changed pages). The caller (the group's flusher) keeps {@code cp} and every epoch
     * after {@code since} from being released, so the pages handed out are frozen and stay allocated.
     */
    void pagesAt(Checkpoint cp, long since, PageSink sink) {
        if (excluded) {
            return;
        }
        Root root = stableRootAt(cp.closedEpoch.number);
        for (int li = 0; li < root.leaves.length; li++) {
            Epoch leafEpoch = root.leafEpochs[li]; // frozen: the root is of an epoch at or before the cut
            if (since >= 0 && leafEpoch.number <= since) {
                continue;
            }
            Page[] leaf = (Page[]) RegionRoot.LEAVES.getAcquire(root.leaves, li);
            int base = li << LEAF_SHIFT;
            int end = Math.min(RegionRoot.LEAF_SIZE, pageCount - base);
            for (int j = 0; j < end; j++) {
                Page p = (Page) RegionRoot.PAGES.getAcquire(leaf, j);
                if (p.isZero() || (since >= 0 && p.epoch.number <= since)) {
                    continue;
                }
                long index = (long) base + j;
                long bytes = Math.min(pageSize, capacity - (index << pageShift));
                // A full flush or image reads every page: after a full checkpoint no page needs the records it
                // replaces, so the store may reclaim them (see StoredPages).
                p.ensureLoaded();
                sink.page(index, p, (int) bytes);
            }
        }
    }

    // ================================================================== lazy restore

    /**
     * Recovery (before anything else can see the region, which is fresh): makes the table hold the stored pages
     * {@code indexes} (ascending) of {@code state} as restored placeholders, loaded on first touch (see
     * {@link StoredPages}). O(pages of the table); reads nothing from the store.
     */
    void restoreLazily(io.aurora4j.store.spi.StoredState state, long[] indexes, String storeName) {
        if (indexes.length == 0) {
            return;
        }
        StoredPages stored = new StoredPages(this, state, storeName, indexes.length);
        long m = lockTree();
        try {
            Root empty = rootBox.lvRoot();
            if (empty.live != 0 || excluded) {
                throw new IllegalStateException(this + " is not a fresh region: it cannot be restored from " + storeName);
            }
            Page[][] ls = empty.leaves.clone();
            ByteBuffer zeros = zero.byteBuffer();
            // Stamped NEVER, an epoch no group ever has: the raw fast path never writes in place into a placeholder,
            // and incremental flushes skip them (the store holds them already).
            long version = VBox.version(m); // the region's creation version: older than any commit after the restore
            Page[] leaf = null;
            int leafIndex = -1;
            for (long index : indexes) {
                if (index < 0 || index >= pageCount) {
                    throw new IllegalStateException("store " + storeName + ": checkpoint #" + state.checkpoint().id()
                            + " holds page " + index + " of " + this + ", which has " + pageCount + " pages");
                }
                int pi = (int) index;
                if (pi >>> LEAF_SHIFT != leafIndex) {
                    leafIndex = pi >>> LEAF_SHIFT;
                    leaf = ls[leafIndex].clone(); // of the shared zero leaf
                    ls[leafIndex] = leaf;
                }
                long base = (long) pi << pageShift;
                leaf[pi & LEAF_MASK] = new Page(pool, this, zeros, stored, pi, base, (int) Math.min(pageSize, capacity - base),
                        NEVER, version);
            }
            storedPages = stored;
            rootBox.spRoot(new Root(NEVER, ls, empty.leafEpochs.clone(), null, indexes.length, 0));
        } finally {
            rootBox.soMeta(m); // published with the release of the root above
        }
    }

    /**
     * Loads every restored page of the live table that is not loaded yet: what a fork must do before it shares
     * pages (it may outlive this group's store). Unloaded pages are all in the live table (see
     * {@link StoredPages}), so one pass leaves none. O(pages) the first time, O(1) after.
     */
    void loadStoredPages() {
        StoredPages sp = storedPages;
        if (sp == null || sp.unloaded() == 0) {
            return;
        }
        loadAll(rootBox.lvRoot());
    }

    private void loadAll(Root r) {
        for (int li = 0; li < r.leaves.length; li++) {
            Page[] leaf = (Page[]) RegionRoot.LEAVES.getAcquire(r.leaves, li);
            int end = Math.min(RegionRoot.LEAF_SIZE, pageCount - (li << LEAF_SHIFT));
            for (int j = 0; j < end; j++) {
                ((Page) RegionRoot.PAGES.getAcquire(leaf, j)).ensureLoaded();
            }
        }
    }

    // ================================================================== fork

    /**
     * A region of {@code target} (a fork of this group) whose contents are this region's as of {@code cp}: it
     * shares the table root of the checkpoint, O(1). Caller holds this group's admin lock and has checked that
     * {@code cp} is retained, so nothing it sees can be freed before the pin below is in place.
     */
    Region forkInto(Group target, Checkpoint cp, long version) {
        if (excluded) {
            return new Region(target, id, capacity, pageSize, true, version, 0, null, null, 0);
        }
        long cut = cp.closedEpoch.number;
        pin(cut); // from here on, pages visible at the cut are orphaned, never pooled, while the fork lives
        // A commit of the checkpoint's epoch that is still installing holds the lock: stableRootAt waits for it, so
        // the fork sees the cut complete and no late commit changes a table the fork shares.
        Root shared = stableRootAt(cut);
        StoredPages sp = storedPages;
        if (sp != null && sp.unloaded() > 0) {
            // Group.fork loaded them before taking its lock; this pass only catches what a racing rollback put back
            // (pages of the cut are frozen and, the cut being retained, stay live while we load).
            loadAll(shared);
        }
        // The fork's root shares the checkpoint's arrays, which are frozen for both groups (stamped with an epoch
        // that is current in neither): the fork's first write copies its own root, as the source's does.
        Root root = new Root(NEVER, shared.leaves, shared.leafEpochs, null, shared.live, 0);
        return new Region(target, id, capacity, pageSize, false, version, 0, root, this, cut);
    }

    private void pin(long cut) {
        synchronized (pinLock) {
            long[] p = Arrays.copyOf(pins, pins.length + 1);
            p[p.length - 1] = cut;
            Arrays.sort(p);
            pins = p;
        }
    }

    private void unpin(long cut) {
        boolean releaseParent;
        synchronized (pinLock) {
            int i = Arrays.binarySearch(pins, cut);
            if (i < 0) {
                return;
            }
            long[] p = new long[pins.length - 1];
            System.arraycopy(pins, 0, p, 0, i);
            System.arraycopy(pins, i + 1, p, i, p.length - i);
            pins = p;
            releaseParent = closed && pins.length == 0 && !parentReleased;
            if (releaseParent) {
                parentReleased = true;
            }
        }
        if (releaseParent && parent != null) {
            parent.unpin(parentCut);
        }
    }

    /** Whether a live fork sees a page born in epoch {@code born} and dead in epoch {@code died}. */
    private boolean pinnedBetween(long born, long died) {
        synchronized (pinLock) {
            for (long c : pins) {
                if (c >= born && c < died) {
                    return true;
                }
            }
            return false;
        }
    }

    // ================================================================== freeing

    private void free(Page p) {
        if (p.owner == this && p.leaveLive(Page.FREED)) {
            // A restored page may be loading right now (a stale seqlock reader): take its chunk atomically.
            PagePool.Chunk c = p.restored ? p.retireChunk() : p.chunk;
            if (c != null) {
                pool.give(c);
            }
        }
    }

    /** A page of this region's history or table that nothing of this group needs any more. */
    private void release(Page p, long died) {
        if (p.owner != this) {
            return; // a parent's page: the parent frees it
        }
        if (pinnedBetween(p.epoch.number, died)) {
            if (p.leaveLive(Page.ORPHANED)) {
                PagePool.Chunk c = p.restored ? p.retireChunk() : p.chunk;
                if (c != null) {
                    pool.orphan(p, c); // a fork may read it: the garbage collector decides
                }
            }
        } else {
            free(p);
        }
    }

    /**
     * Rollback undid the epoch of {@code record}: its born pages die; its dead ones live again. The born pages
     * are queued for reclamation, so the rollback itself stays O(1) per region (see {@link #reclaim}).
     */
    void undone(EpochPages record) {
        historyPages.addAndGet(-record.diedCount);
        if (record.bornCount > 0) {
            enqueue(new Dead(record.born, record.bornCount, Long.MAX_VALUE));
        }
    }

    /** The group released the epoch of {@code entry} (no retained checkpoint needs it): its dead pages are queued. */
    void released(UndoEntry entry) {
        EpochPages record = ((RegionRoot.Pre) entry.oldRef).record();
        historyPages.addAndGet(-record.diedCount);
        if (record.diedCount > 0) {
            enqueue(new Dead(record.died, record.diedCount, record.epoch));
        }
    }

    /** Pages nothing can see any more, waiting to be returned to the pool: {@code pages[next..count)}. */
    private static final class Dead {
        final Page[] pages;
        final int count;
        final long died;
        int next; // guarded by reclaiming

        Dead(Page[] pages, int count, long died) {
            this.pages = pages;
            this.count = count;
            this.died = died;
        }
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<Dead> dead = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicLong deadPages = new AtomicLong();
    private final java.util.concurrent.locks.ReentrantLock reclaiming = new java.util.concurrent.locks.ReentrantLock();

    private void enqueue(Dead d) {
        deadPages.addAndGet(d.count);
        dead.add(d);
    }

    /**
     * Returns up to {@code budget} queued dead pages to the pool. Called on the region's own allocation path
     * (when the pool is empty) and by {@link #stats()}: reclamation never wakes another thread, so neither a
     * checkpoint nor a rollback pays for it (on a 2-core machine, waking a releaser preempted the caller for
     * the whole release). Never waits: if another thread is reclaiming, or the region's lock is taken by another
     * thread, returns at once (the pages stay queued).
     *
     * <p>The lock word changes around the frees. A raw copy leaves the lock word as it was (nothing is freed
     * then), so a raw reader that found a page before a raw write copied it away can still be reading it when the
     * page's epoch leaves retention; once its chunk is reused, the reader's seqlock re-check must fail, or it
     * returns another page's bytes (found by model-checks {@code RegionRawWriterRetainOneTest}). So the frees run
     * with the region locked and the unlock publishes a fresh version: by this method, or, when the caller holds
     * the lock ({@code lockHeld}, the raw copy path), by the caller's unlock ({@link #freedUnderLock}).
     */
    private void reclaim(int budget, boolean lockHeld) {
        if (dead.isEmpty() || !reclaiming.tryLock()) {
            return;
        }
        long m = 0;
        boolean locked = false;
        try {
            if (!lockHeld && !discarded && !closed) {
                m = rootBox.lvMeta();
                if ((m & VBox.LOCKED) != 0 || !rootBox.casMeta(m, m | VBox.LOCKED)) {
                    return; // a commit, a rollback or a raw copy is running: reclaim another time
                }
                locked = true;
            }
            Dead d;
            while (budget > 0 && (d = dead.peek()) != null) {
                int end = Math.min(d.count, d.next + budget);
                for (int i = d.next; i < end; i++) {
                    release(d.pages[i], d.died);
                    d.pages[i] = null;
                }
                budget -= end - d.next;
                deadPages.addAndGet(-(end - d.next));
                d.next = end;
                if (end == d.count) {
                    dead.poll();
                }
            }
            if (lockHeld) {
                freedUnderLock = true;
            }
        } finally {
            if (locked) {
                rootBox.soMeta(group.tick() << 2); // seqlock readers of the freed pages read again
            }
            reclaiming.unlock();
        }
    }

    /** Set by {@link #reclaim} under the caller's region lock: the caller's unlock must publish a fresh version. */
    private boolean freedUnderLock;

    /** A chunk for a new page: queued dead pages are reclaimed first, so memory is reused before it grows. */
    PagePool.Chunk takeChunk(boolean zeroed) {
        return takeChunk(zeroed, false);
    }

    /** As {@link #takeChunk(boolean)}; {@code lockHeld} when the caller holds the region's lock (see {@link #reclaim}). */
    private PagePool.Chunk takeChunk(boolean zeroed, boolean lockHeld) {
        if (pool.pooled() == 0) {
            reclaim(256, lockHeld);
        }
        return pool.take(zeroed);
    }

    // ================================================================== state

    /**
     * Page counts of a region.
     *
     * @param livePages      pages of the live table holding data (untouched pages read as zeros and hold none),
     *                       including restored pages not loaded yet
     * @param sharedPages    of those, pages also held by a retained checkpoint or shared with a fork's parent:
     *                       frozen, so the next write to each copies it
     * @param historyPages   pages no longer live, held only so that retained checkpoints can be viewed and rolled
     *                       back to; freed when those checkpoints leave retention
     * @param pooledPages    free pages kept for reuse
     * @param allocatedPages pages of off-heap memory this region's pool holds (live and loaded, history, pooled,
     *                       in transactions' shadows, or orphaned)
     * @param orphanedPages  pages a fork may still read, left to the garbage collector; they return to the pool
     *                       when unreachable
     * @param unloadedPages  of the live pages, those restored from the store and not read yet: they hold no
     *                       memory until first touched (see "Recovery is lazy" in the class comment)
     */
    public record Stats(long livePages, long sharedPages, long historyPages, long pooledPages, long allocatedPages,
                        long orphanedPages, long unloadedPages) {
    }

    /** A snapshot of the region's page counts (approximate while other threads write). */
    public Stats stats() {
        reclaim(Integer.MAX_VALUE, false);
        Root r = rootBox.lvRoot();
        long live = r.live;
        long exclusive = excluded ? live : (r.epoch == group.currentEpoch() ? r.exclusive : 0);
        StoredPages sp = storedPages;
        return new Stats(live, live - exclusive, historyPages.get(), pool.pooled(), pool.allocated(), pool.orphaned(),
                sp == null ? 0 : sp.unloaded());
    }

    // ================================================================== lifecycle

    /** Every access's slow path: the region is usable, and returns this thread's active transaction, or null. */
    private Txn enter() {
        checkUsable();
        Txn t = Txn.current();
        if (!t.active) {
            t.checkGuard(group); // before the scope below: a refused thread never gets the raw fast paths
        }
        Thread me = Thread.currentThread();
        if (scope.thread != me) {
            scope = new Scope(me, t);
        }
        if (t.active) {
            t.checkRegion(this);
            return t;
        }
        return null;
    }

    private void checkUsable() {
        group.checkOpen();
        if (discarded) {
            throw rootBox.discardedError();
        }
    }

    /** Called by {@link Group#close()}: the region's memory is dropped. */
    void close() {
        boolean releaseParent;
        synchronized (pinLock) {
            closed = true;
            scope = Scope.NONE;
            hotPage = zero;
            releaseParent = pins.length == 0 && !parentReleased;
            if (releaseParent) {
                parentReleased = true;
            }
        }
        pool.close();
        StoredPages sp = storedPages;
        if (sp != null) {
            sp.close();
        }
        if (releaseParent && parent != null) {
            parent.unpin(parentCut); // the parent may pool the pages this fork shared (unless a fork of ours still sees them)
        }
    }

    /** See {@link StateObjects#discard}. */
    void discard(long version) {
        discarded = true;
        scope = Scope.NONE;
        hotPage = zero;
        rootBox.soMeta(version << 2 | VBox.DEAD | VBox.LOCKED);
        pool.close();
    }

    private void checkBounds(long index, long length) {
        if (index < 0 || length < 0 || index > capacity - length) {
            throw outOfBounds(index, length);
        }
    }

    private IndexOutOfBoundsException outOfBounds(long index, long length) {
        return new IndexOutOfBoundsException("Region '" + id + "' of group '" + group.name() + "': offset " + index
                + ", length " + length + " is out of bounds for capacity " + capacity);
    }

    // ================================================================== builder

    /**
     * Configures a {@link Region}: capacity (required), page size (a power of two from 64 bytes to 1 GiB;
     * default 4 KiB), exclusion from checkpoints. Each setting may be given once; a second call fails naming
     * the value already set. Not thread-safe; {@link #create()} may be called once.
     */
    public static final class Builder {
        private final Group group;
        private final String id;
        private long capacity = -1;
        private int pageSize = -1;
        private int maxPageSize = io.aurora4j.store.StoreLimits.MAX_PAGE_SIZE;
        private boolean excluded;
        private boolean excludedSet;
        private boolean created;

        Builder(Group group, String id) {
            this.group = group;
            this.id = Objects.requireNonNull(id, "id");
        }

        /** The size in bytes (required). */
        public Builder capacity(long bytes) {
            requireState(capacity == -1, "capacity was already set to " + capacity);
            if (bytes <= 0) {
                throw new IllegalArgumentException("region '" + id + "': capacity must be positive, was " + bytes);
            }
            capacity = bytes;
            return this;
        }

        /**
         * The page size: a power of two from 64 bytes to {@link io.aurora4j.store.StoreLimits#MAX_PAGE_SIZE} (32 MiB, so that
         * every page can be stored, sent and received with default limits; default 4096).
         *
         * @throws IllegalArgumentException if it is not such a power of two
         */
        public Builder pageSize(int bytes) {
            requireState(pageSize == -1, "pageSize was already set to " + pageSize);
            checkSettings(id, 1, bytes, maxPageSize);
            pageSize = bytes;
            return this;
        }

        /** The page size of a region recovered from a store, which may predate the page limit (up to 1 GiB). */
        Builder storedPageSize(int bytes) {
            maxPageSize = MAX_STORED_PAGE_SIZE;
            return pageSize(bytes);
        }

        /** Excludes the region from checkpoints (Aurora's {@code sls_mctl}); see {@link Region}. */
        public Builder excludedFromCheckpoints() {
            requireState(!excludedSet, "excludedFromCheckpoints was already set");
            excluded = true;
            excludedSet = true;
            return this;
        }

        /**
         * Creates and registers the region.
         *
         * @throws IllegalStateException if the JVM does not let Agrona reach {@code jdk.internal.misc} (see
         *                               {@link Region}: the {@code --add-exports} flag)
         */
        public Region create() {
            requireState(!created, "this builder already created region '" + id + "'");
            checkAgrona(id);
            requireState(capacity != -1, "region '" + id + "': capacity was not set");
            int ps = pageSize == -1 ? DEFAULT_PAGE_SIZE : pageSize;
            checkSettings(id, capacity, ps, maxPageSize);
            created = true;
            return group.registerRegion(id, capacity, ps, excluded);
        }

        private static void requireState(boolean ok, String message) {
            if (!ok) {
                throw new IllegalStateException(message);
            }
        }
    }
}
