package io.aurora4j.txn;

import io.aurora4j.txn.RegionRoot.Root;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Objects;

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
    // Where the rest of a region lives (package-private parts, each named for its one job): RegionPageTable (the
    // two-level table, its copy-on-write under the lock, the zero page), RegionReclaim (returning pages to the pool,
    // fork pins), RegionLazyRestore (pages fetched from a store on first touch), RegionAccessPaths (the read and
    // write paths behind the inlined fast tests below), RegionTxn (a transaction's pages: validated reads,
    // shadows), RegionAtCheckpoint (views, the pages a flush writes, forks).
    static final int MIN_PAGE_SIZE = 64;
    /**
     * The largest page of a region recovered from a store: stores written before pages were limited to
     * {@link io.aurora4j.store.StoreLimits#MAX_PAGE_SIZE} may hold larger ones, and still open.
     */
    static final int MAX_STORED_PAGE_SIZE = 1 << 30;
    static final int DEFAULT_PAGE_SIZE = 4096;

    private static final int LEAF_SHIFT = RegionRoot.LEAF_SHIFT;
    private static final int LEAF_MASK = RegionRoot.LEAF_MASK;

    // The operations of the shared read and write paths (RegionAccessPaths, RegionTxn, RegionAtCheckpoint).
    static final int LONG = 0;
    static final int INT = 1;
    static final int BYTE = 2;
    static final int ARRAY = 3;
    static final int BUFFER = 4;
    static final int FILL = 5;

    final Group group;
    private final String id;
    final long capacity;
    final int pageSize;
    final int pageShift;
    final int pageMask;
    final int pageCount;
    final boolean excluded;
    final long createdEpoch;
    final RegionRoot rootBox;
    final PagePool pool;
    /** The shared page of zeros of this page size (see {@link RegionPageTable#zeroPage}): also "no hot page". */
    final Page zero;
    final RegionPageTable table;
    final RegionReclaim reclaim;
    final RegionLazyRestore lazy;

    /** The live root's leaves, for the raw write path; kept equal to the root box's by {@link RegionRoot#spRoot}. */
    Page[][] leaves;
    /** The last thread that used the region and its transaction descriptor: the raw path's scope test. */
    Scope scope = Scope.NONE;
    /**
     * The raw writer's hot page: the page it wrote last (twice in a row, or just copied), written in place by
     * {@link #putLong}/{@link #putInt}/{@link #putByte} without the two-level lookup while it is still the live page
     * of the current epoch and {@link #hotOwner} is the calling thread. It stops being used when: a checkpoint
     * or rollback opens a new epoch (the page's epoch no longer matches, read from the group's volatile
     * {@code currentEpoch} on every write, so a checkpoint from any thread is seen at once, as before);
     * the page leaves the live table ({@link RegionPageTable#place}, by a commit or a raw copy, resets it: raw mode
     * is not concurrent with commits, so that reset happens-before the writer's next write); the owner thread starts
     * a transaction ({@link Txn#begin} resets the regions it noted); the region is closed or discarded. The zero
     * page (never the current epoch) stands for "none". Set by {@link RegionAccessPaths} (the hot-page promotion).
     */
    Page hotPage;
    Thread hotOwner;
    /** The raw writer's last page found by the lookup: a second write in a row to it makes it the hot page. */
    Page lastLookedUp;

    volatile boolean closed; // written under RegionReclaim's pin lock
    volatile boolean discarded;

    /** An immutable (thread, its transaction) pair: read racily, consistent because immutable. */
    static final class Scope {
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
        this.zero = RegionPageTable.zeroPage(pageSize);
        this.hotPage = zero;
        this.lastLookedUp = zero;
        Root root = inherited != null ? inherited : RegionPageTable.emptyRoot(pageCount, zero, excluded);
        this.rootBox = new RegionRoot(this, group, version, root);
        this.leaves = root.leaves;
        this.table = new RegionPageTable(this);
        this.reclaim = new RegionReclaim(this, parent, parentCut);
        this.lazy = new RegionLazyRestore(this);
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
            return new UnsafeBuffer(RegionAccessPaths.readSplit(this, index, 8)).getLong(0);
        }
        return RegionAccessPaths.read(this, index, po, LONG, null, 0, 8);
    }

    /** The {@code int} at {@code index} (native byte order). */
    public int getInt(long index) {
        checkBounds(index, 4);
        int po = (int) index & pageMask;
        if (po > pageSize - 4) {
            return new UnsafeBuffer(RegionAccessPaths.readSplit(this, index, 4)).getInt(0);
        }
        return (int) RegionAccessPaths.read(this, index, po, INT, null, 0, 4);
    }

    /** The byte at {@code index}. */
    public byte getByte(long index) {
        checkBounds(index, 1);
        return (byte) RegionAccessPaths.read(this, index, (int) index & pageMask, BYTE, null, 0, 1);
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
        RegionAccessPaths.read(this, index, (int) index & pageMask, ARRAY, dst, offset, length);
    }

    /** Copies {@code length} bytes from {@code index} into {@code dst} at {@code dstIndex}. */
    public void getBytes(long index, MutableDirectBuffer dst, int dstIndex, int length) {
        Objects.checkFromIndexSize(dstIndex, length, dst.capacity());
        checkBounds(index, length);
        if (length == 0) {
            return;
        }
        RegionAccessPaths.read(this, index, (int) index & pageMask, BUFFER, dst, dstIndex, length);
    }

    // ================================================================== writes

    // The hot-page writes below are the whole fast path (R1 in benchmarks/): every other case is one static call
    // into RegionAccessPaths, which reads this region's fields as a private method did.

    /** Writes a {@code long} at {@code index} (native byte order). */
    public void putLong(long index, long value) {
        Epoch e = group.currentEpoch(); // volatile, read first: the loads below cannot be hoisted out of a loop
        Page h = hotPage;
        long off = index - h.base;
        if (h.epoch == e && off >= 0 && off <= h.length - 8 && hotOwner == Thread.currentThread()) {
            UnsafeApi.putLong(h.addressOffset() + off, value); // bounds: within the hot page, so within the region
            return;
        }
        RegionAccessPaths.putLongLookedUp(this, index, value);
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
        RegionAccessPaths.putIntLookedUp(this, index, value);
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
        RegionAccessPaths.putByteLookedUp(this, index, value);
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
        RegionAccessPaths.write(this, index, ARRAY, 0, src, offset, length);
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcIndex} to {@code index}. */
    public void putBytes(long index, DirectBuffer src, int srcIndex, int length) {
        Objects.checkFromIndexSize(srcIndex, length, src.capacity());
        checkBounds(index, length);
        if (length == 0) {
            return;
        }
        RegionAccessPaths.write(this, index, BUFFER, 0, src, srcIndex, length);
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
            RegionAccessPaths.write(this, index + done, FILL, value, null, 0, n);
            done += n;
        } while (done < length);
    }

    /** The live page {@code pi} (acquire loads: its bytes are visible). */
    Page livePage(int pi) {
        return RegionPageTable.pageIn(rootBox.lvRoot(), pi);
    }

    // ================================================================== parts called by Group, Durability, CheckpointView

    long viewLong(Checkpoint cp, long index) {
        return RegionAtCheckpoint.viewLong(this, cp, index);
    }

    int viewInt(Checkpoint cp, long index) {
        return RegionAtCheckpoint.viewInt(this, cp, index);
    }

    byte viewByte(Checkpoint cp, long index) {
        return RegionAtCheckpoint.viewByte(this, cp, index);
    }

    void viewBytes(Checkpoint cp, long index, byte[] dst, int offset, int length) {
        RegionAtCheckpoint.viewBytes(this, cp, index, dst, offset, length);
    }

    /** Receives the pages a flush writes. */
    interface PageSink {
        void page(long index, Page page, int length);
    }

    /** The pages of this region as of {@code cp} born after epoch {@code since}: see {@link RegionAtCheckpoint#pagesAt}. */
    void pagesAt(Checkpoint cp, long since, PageSink sink) {
        RegionAtCheckpoint.pagesAt(this, cp, since, sink);
    }

    /** Recovery: the table holds the stored pages as placeholders, see {@link RegionLazyRestore#restoreLazily}. */
    void restoreLazily(io.aurora4j.store.spi.StoredState state, long[] indexes, String storeName) {
        lazy.restoreLazily(state, indexes, storeName);
    }

    /** Loads every restored page not loaded yet (before a fork shares them): {@link RegionLazyRestore#loadStoredPages}. */
    void loadStoredPages() {
        lazy.loadStoredPages();
    }

    /** A region of the fork {@code target} sharing this one's table as of {@code cp}: {@link RegionAtCheckpoint#forkInto}. */
    Region forkInto(Group target, Checkpoint cp, long version) {
        return RegionAtCheckpoint.forkInto(this, target, cp, version);
    }

    /** Rollback undid the epoch of {@code record}: {@link RegionReclaim#undone}. */
    void undone(RegionRoot.EpochPages record) {
        reclaim.undone(record);
    }

    /** The group released the epoch of {@code entry}: {@link RegionReclaim#released}. */
    void released(UndoEntry entry) {
        reclaim.released(entry);
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
        reclaim.reclaim(Integer.MAX_VALUE, false);
        Root r = rootBox.lvRoot();
        long live = r.live;
        long exclusive = excluded ? live : (r.epoch == group.currentEpoch() ? r.exclusive : 0);
        return new Stats(live, live - exclusive, reclaim.historyPages(), pool.pooled(), pool.allocated(), pool.orphaned(),
                lazy.unloaded());
    }

    // ================================================================== lifecycle

    /** Every access's slow path: the region is usable, and returns this thread's active transaction, or null. */
    Txn enter() {
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

    void checkUsable() {
        group.checkOpen();
        if (discarded) {
            throw rootBox.discardedError();
        }
    }

    /** Called by {@link Group#close()}: the region's memory is dropped. */
    void close() {
        scope = Scope.NONE;
        hotPage = zero;
        boolean releaseParent = reclaim.close(); // marks the region closed
        pool.close();
        lazy.close();
        if (releaseParent) {
            reclaim.releaseParent(); // the parent may pool the pages this fork shared (unless a fork of ours still sees them)
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

    void checkBounds(long index, long length) {
        if (index < 0 || length < 0 || index > capacity - length) {
            throw outOfBounds(index, length);
        }
    }

    IndexOutOfBoundsException outOfBounds(long index, long length) {
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
