package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The versioned box of a {@link Region}: its value is the root of the region's two-level page table, its lock
 * word is the region's commit lock and seqlock, and its history chain and the epochs' undo lists hold the
 * roots that retained checkpoints see — the existing {@link VBox} machinery, one box per region whatever its
 * size.
 *
 * <h2>The table</h2>
 * A {@link Root} has an array of leaves of {@value #LEAF_SIZE} page references each, and the epoch each leaf
 * and the root itself were made writable in. Everything stamped with an older epoch is frozen: a checkpoint
 * (a new epoch) freezes the whole table without touching it. The first change in an epoch copies the root
 * (its pre-image, the old root, is pushed on the epoch's undo list and this box's history before the new root
 * is published), the first change to a leaf copies the leaf, and the first write to a page copies the page.
 * So the table as of any retained checkpoint is one root reference, a rollback swaps one reference per
 * region, and a fork shares one.
 *
 * <h2>Memory-access kinds</h2>
 * The root, leaf slots and page slots are published with release stores by the lock holder, after the
 * objects they point to are complete; readers load them with acquire inside the seqlock ({@code meta}
 * read, contents read, {@code meta} re-read after a load-load fence).
 */
final class RegionRoot extends VBox {
    static final int LEAF_SHIFT = 9;
    static final int LEAF_SIZE = 1 << LEAF_SHIFT;
    static final int LEAF_MASK = LEAF_SIZE - 1;

    static final VarHandle ROOT;
    static final VarHandle LEAVES = MethodHandles.arrayElementVarHandle(Page[][].class);
    static final VarHandle PAGES = MethodHandles.arrayElementVarHandle(Page[].class);

    static {
        try {
            ROOT = MethodHandles.lookup().findVarHandle(RegionRoot.class, "root", Root.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Region region;
    @SuppressWarnings("unused") // accessed through ROOT
    private Root root;

    RegionRoot(Region region, Group group, long version, Root initial) {
        super(group, version);
        this.region = region;
        ROOT.setRelease(this, initial);
    }

    Root lvRoot() {
        return (Root) ROOT.getAcquire(this);
    }

    /** Lock holder (or the constructor of a region): publishes a new root and the raw path's mirror of it. */
    void spRoot(Root r) {
        ROOT.setRelease(this, r);
        region.leaves = r.leaves;
    }

    @Override
    UndoEntry preImage(long epoch) {
        throw new UnsupportedOperationException("a region's pre-images are pushed by the region itself");
    }

    /** Rollback (gate closed, box locked): the root as of the epoch before this entry's; its epoch's new pages die. */
    @Override
    void restore(UndoEntry entry) {
        Pre pre = (Pre) entry.oldRef;
        spRoot(pre.root);
        region.undone(pre.record);
    }

    @Override
    String describe() {
        return "Region '" + region.id() + "'";
    }

    /** One version of the page table. Mutable only by the lock holder, and only while {@link #epoch} is current. */
    static final class Root {
        final Epoch epoch;
        final Page[][] leaves;
        final Epoch[] leafEpochs;
        /** Pages born and pages retired in {@link #epoch}, when it logs; null otherwise. */
        final EpochPages record;
        /** Pages of this table that are not the shared zero page. */
        int live;
        /** Of those, pages born in {@link #epoch} by this region: the only ones a write may change in place. */
        int exclusive;

        Root(Epoch epoch, Page[][] leaves, Epoch[] leafEpochs, EpochPages record, int live, int exclusive) {
            this.epoch = epoch;
            this.leaves = leaves;
            this.leafEpochs = leafEpochs;
            this.record = record;
            this.live = live;
            this.exclusive = exclusive;
        }
    }

    /** What a root pre-image carries: the root it replaced and the page births and deaths of its epoch. */
    record Pre(Root root, EpochPages record) {
    }

    /**
     * The pages that became live (born) and those that left the live table (died) in one logging epoch of
     * one region. A rollback that undoes the epoch frees the born ones; the release of the epoch (when no
     * retained checkpoint needs it) frees the dead ones. Appended by the lock holder only.
     */
    static final class EpochPages {
        final long epoch;
        Page[] born = new Page[8];
        int bornCount;
        Page[] died = new Page[8];
        int diedCount;

        EpochPages(long epoch) {
            this.epoch = epoch;
        }

        void addBorn(Page p) {
            if (bornCount == born.length) {
                born = java.util.Arrays.copyOf(born, bornCount * 2);
            }
            born[bornCount++] = p;
        }

        void addDied(Page p) {
            if (diedCount == died.length) {
                died = java.util.Arrays.copyOf(died, diedCount * 2);
            }
            died[diedCount++] = p;
        }
    }
}
