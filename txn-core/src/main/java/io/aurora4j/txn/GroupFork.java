package io.aurora4j.txn;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One job: forking a group — a new in-memory group whose state objects start from a checkpoint of this one
 * (see {@link Group#fork(Checkpoint, String)}): regions share the checkpoint's pages copy-on-write, other
 * objects are copied.
 *
 * <p>Thread-safe: the copy is made under the source timeline's admin lock, so the checkpoint stays retained.
 */
final class GroupFork {
    private static final AtomicLong FORKS = new AtomicLong();

    private GroupFork() {
    }

    /** The name of an unnamed fork of group {@code source}: {@code source-fork-N}, N unique in the JVM. */
    static String nextName(String source) {
        return source + "-fork-" + FORKS.incrementAndGet();
    }

    /** See {@link Group#fork(Checkpoint, String)}: opens the fork with {@code settings} and fills it from {@code checkpoint}. */
    static Group fork(Group source, EpochTimeline timeline, ObjectRegistry registry, Checkpoint checkpoint, GroupBuilder settings) {
        if (checkpoint.group() != source) {
            throw new IllegalArgumentException(checkpoint + " does not belong to group '" + source.name() + "'");
        }
        if (Txn.current().active) {
            throw new IllegalStateException("fork of group '" + source.name() + "' called inside a transaction of group '"
                    + Txn.current().group.name() + "': fork from outside any atomic scope");
        }
        source.checkOpen();
        loadStoredPages(registry);
        Group fork = settings.open();
        timeline.admin.lock();
        try {
            source.checkOpen();
            checkpoint.checkRetained();
            // Region pages carry this group's commit versions, at most one above its clock (Clock): the fork's clock
            // starts at that bound, so no shared page is newer than a fork transaction's first snapshot.
            fork.advanceClock(source.clockNow() + 1);
            CheckpointView view = checkpoint.view();
            for (StateObject o : registry.existingAt(checkpoint.closedEpoch.number, false)) {
                String id = o.id();
                switch (o) {
                    case TLong x -> fork.newLong(id, view.get(x));
                    case TRef<?> x -> fork.newRef(id, view.get(x));
                    case TMap<?, ?> x -> copyMap(view, x, fork.newMap(id));
                    case Region r -> fork.registry.register(id, (version, epoch) -> r.forkInto(fork, checkpoint, version));
                }
            }
        } catch (RuntimeException | Error e) {
            fork.close();
            throw e;
        } finally {
            timeline.admin.unlock();
        }
        return fork;
    }

    /**
     * A region recovered lazily still has pages only in the source group's store, which the fork must not depend on
     * (it may outlive it): they are loaded before the admin lock, so checkpoints are not held up by the reads.
     */
    private static void loadStoredPages(ObjectRegistry registry) {
        for (StateObject o : registry.all()) {
            if (o instanceof Region r) {
                r.loadStoredPages();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> void copyMap(CheckpointView view, TMap<K, V> from, TMap<?, ?> to) {
        Map<K, V> entries = view.snapshot(from);
        TMap<K, V> target = (TMap<K, V>) to;
        if (!entries.isEmpty()) {
            target.group().atomic(() -> entries.forEach(target::put));
        }
    }
}
