package io.aurora4j.boundary.spi;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.ExtensionKey;
import io.aurora4j.txn.spi.TxnSpi;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * One job: the release holds of one group, the reasons other modules (speculation) add to keep the group's
 * boundaries from releasing outputs. It is the group's extension ({@link TxnSpi#extension}) under a key of this
 * package, so it exists as soon as either side needs it and lives exactly as long as the group.
 *
 * <p>Why it lives here and not in the boundary package: the holds and the boundaries meet in the group, not
 * in a static bridge. The speculation module adds a hold through {@link BoundarySpi}, which finds this object
 * in the group; the group's outputs coordinator (package {@code io.aurora4j.boundary}, same module) finds the
 * same object when it is created and reads its minimum as one of its release conditions. Nothing depends on
 * which class was initialized first, no class is looked up by name, and the only arrow inside the module is
 * {@code io.aurora4j.boundary -> io.aurora4j.boundary.spi}.
 *
 * <p>The package is exported only to Aurora4j's speculation module. Thread-safe: holds are a copy-on-write
 * list (added and removed rarely, read on every release check).
 */
public final class ReleaseHolds {
    private static final ExtensionKey<ReleaseHolds> KEY = ExtensionKey.named("io.aurora4j.boundary release holds");

    private final CopyOnWriteArrayList<LongSupplier> holds = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> watchers = new CopyOnWriteArrayList<>();

    private ReleaseHolds() {
    }

    /**
     * The release holds of {@code group}, created empty on first use.
     *
     * @param group the group
     * @return the group's one {@code ReleaseHolds}
     */
    public static ReleaseHolds of(Group group) {
        return TxnSpi.extension(group, KEY, g -> new ReleaseHolds());
    }

    /**
     * Outputs of epochs up to the returned one may be released as far as the holds are concerned: the minimum
     * over them, {@link Long#MAX_VALUE} when there is none.
     *
     * @return the last epoch every hold lets through
     */
    public long releasableThrough() {
        long w = Long.MAX_VALUE;
        for (LongSupplier h : holds) {
            w = Math.min(w, h.getAsLong());
        }
        return w;
    }

    /**
     * Calls {@code watcher} (on the thread that moved or removed a hold; keep it short, no blocking) whenever
     * a hold moved forward or was removed. Used once per group by the boundaries' coordinator.
     *
     * @param watcher what to run
     */
    public void watch(Runnable watcher) {
        watchers.add(java.util.Objects.requireNonNull(watcher, "watcher"));
    }

    BoundarySpi.Hold add(LongSupplier releasableThrough) {
        java.util.Objects.requireNonNull(releasableThrough, "releasableThrough");
        LongSupplier hold = releasableThrough::getAsLong; // its own identity: remove() takes out this one only
        holds.add(hold);
        return new BoundarySpi.Hold() {
            @Override
            public void changed() {
                changedNow();
            }

            @Override
            public void remove() {
                if (holds.remove(hold)) {
                    changedNow();
                }
            }
        };
    }

    private void changedNow() {
        for (Runnable w : watchers) {
            w.run();
        }
    }
}
