package io.aurora4j.txn;

import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Reads state as of a {@link Checkpoint} while the group goes on: time travel without rollback.
 *
 * <p>A read finds the object's current value and walks its history to the oldest pre-image taken after
 * the checkpoint; its cost grows with the number of retained checkpoints after this one in which the
 * object changed, not with the group's size. A read of an object created after the checkpoint throws
 * {@link NoSuchElementException}; any read after the checkpoint was discarded throws
 * {@link IllegalStateException}. Thread-safe; does not take part in transactions.
 */
public final class CheckpointView {
    private final Checkpoint checkpoint;

    CheckpointView(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** The checkpoint this view reads. */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** The value of {@code x} at the checkpoint. */
    public long get(TLong x) {
        check(x, x.createdEpoch);
        return longAt(x, checkpoint);
    }

    /** The value of {@code x} at the checkpoint. */
    @SuppressWarnings("unchecked")
    public <T> T get(TRef<T> x) {
        check(x, x.createdEpoch);
        return (T) refAt(x, checkpoint);
    }

    /** The value of {@code key} in {@code map} at the checkpoint, or null if absent. */
    @SuppressWarnings("unchecked")
    public <K, V> V get(TMap<K, V> map, K key) {
        Objects.requireNonNull(key, "key");
        check(map, map.createdEpoch);
        Object v = map.valueAt(checkpoint, key);
        return v == TMap.ABSENT ? null : (V) v;
    }

    /** The size of {@code map} at the checkpoint. */
    public int size(TMap<?, ?> map) {
        check(map, map.createdEpoch);
        return map.sizeAt(checkpoint);
    }

    /** The contents of {@code map} at the checkpoint, as an immutable map. */
    public <K, V> Map<K, V> snapshot(TMap<K, V> map) {
        check(map, map.createdEpoch);
        return map.snapshotAt(checkpoint);
    }

    /**
     * The {@code long} at {@code index} of {@code region} at the checkpoint (native byte order).
     *
     * @throws IllegalStateException if the region is excluded from checkpoints
     */
    public long getLong(Region region, long index) {
        check(region, region.createdEpoch);
        return region.viewLong(checkpoint, index);
    }

    /** The {@code int} at {@code index} of {@code region} at the checkpoint (native byte order). */
    public int getInt(Region region, long index) {
        check(region, region.createdEpoch);
        return region.viewInt(checkpoint, index);
    }

    /** The byte at {@code index} of {@code region} at the checkpoint. */
    public byte getByte(Region region, long index) {
        check(region, region.createdEpoch);
        return region.viewByte(checkpoint, index);
    }

    /** Copies {@code length} bytes of {@code region} at the checkpoint, from {@code index}, into {@code dst} at {@code offset}. */
    public void getBytes(Region region, long index, byte[] dst, int offset, int length) {
        check(region, region.createdEpoch);
        region.viewBytes(checkpoint, index, dst, offset, length);
    }

    private void check(StateObject x, long createdEpoch) {
        Objects.requireNonNull(x, "state object");
        if (x.group() != checkpoint.group()) {
            throw new IllegalArgumentException(StateObjects.kind(x) + " '" + x.id() + "' belongs to group '" + x.group().name()
                    + "', not to the group of " + checkpoint);
        }
        checkpoint.checkRetained();
        if (createdEpoch > checkpoint.closedEpoch.number) {
            throw new NoSuchElementException(StateObjects.kind(x) + " '" + x.id() + "' did not exist at " + checkpoint);
        }
    }

    static long longAt(LongBox b, Checkpoint cp) {
        long cut = cp.closedEpoch.number;
        for (int spins = 0; ; spins++) {
            long m = b.lvMeta();
            if ((m & VBox.LOCKED) != 0) { // a commit of this or a later epoch is writing back: wait for it
                if ((m & VBox.DEAD) != 0) {
                    throw b.discardedError();
                }
                Backoff.spin(spins);
                continue;
            }
            long v = b.loValue();
            UndoEntry h = b.lvHistory();
            if (b.lpMetaAfterFence() != m) {
                continue;
            }
            UndoEntry oldestAfterCut = null;
            for (UndoEntry e = h; e != null && e.epoch > cut; e = e.older) {
                oldestAfterCut = e;
            }
            cp.checkRetained(); // the history read above is complete only while the checkpoint is retained
            return oldestAfterCut == null ? v : oldestAfterCut.oldLong;
        }
    }

    static Object refAt(RefBox b, Checkpoint cp) {
        long cut = cp.closedEpoch.number;
        for (int spins = 0; ; spins++) {
            long m = b.lvMeta();
            if ((m & VBox.DEAD) != 0 && b.isRetired()) {
                cp.checkRetained();
                return TMap.ABSENT; // purged only when empty with no history a retained checkpoint needs
            }
            if ((m & VBox.LOCKED) != 0) {
                if ((m & VBox.DEAD) != 0) {
                    throw b.discardedError();
                }
                Backoff.spin(spins);
                continue;
            }
            Object v = b.loValue();
            UndoEntry h = b.lvHistory();
            if (b.lpMetaAfterFence() != m) {
                continue;
            }
            UndoEntry oldestAfterCut = null;
            for (UndoEntry e = h; e != null && e.epoch > cut; e = e.older) {
                oldestAfterCut = e;
            }
            cp.checkRetained();
            return oldestAfterCut == null ? v : oldestAfterCut.oldRef;
        }
    }

    @Override
    public String toString() {
        return "view of " + checkpoint;
    }
}
