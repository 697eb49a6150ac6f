package io.aurora4j.txn;

import io.aurora4j.store.Codecs;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A store's durable history, searched: {@link #bisect} finds the first durable checkpoint whose state breaks an
 * invariant, as {@link Group#bisect} does over a live group's retained checkpoints — for a store no group has open
 * (a directory after a crash, a copy, a store opened read-only by {@code sls bisect}).
 *
 * <p>Each checkpoint it evaluates is restored into a group of its own, in memory (the checkpoint's state is
 * copied out of the store, O(its size) memory, released after the evaluation), and the predicate gets the view of
 * that group's one checkpoint. The predicate therefore finds objects by id through the view's group, e.g.
 * {@code v -> v.get(v.checkpoint().group().longRef("balance")) >= 0}; a predicate written that way works for
 * {@link Group#bisect} too. The store is only read — but opening a directory store applies its retention: open it
 * with the retention its writer used ({@code Store.directoryBuilder(dir).retainCheckpoints(n)}), or the default
 * keeps only the newest 16 and the search starts there. Stateless; thread-safe as the store is (its methods may be
 * called from several threads, one search per call).
 */
public final class DurableHistory {
    private DurableHistory() {
    }

    /** {@link #bisect(Store, Codecs, Predicate)} with the default codecs. */
    public static Optional<StoredCheckpoint> bisect(Store store, Predicate<? super CheckpointView> holds) {
        return bisect(store, Codecs.defaults(), holds);
    }

    /**
     * The oldest of the store's retained durable checkpoints ({@link Store#checkpoints()}) whose state breaks the
     * invariant {@code holds}, or empty if the newest holds (or the store holds none). Assumes that once broken the
     * invariant stays broken; evaluates {@code holds} at most {@code 1 + ceil(log2 n)} times for {@code n}
     * checkpoints, each on a fresh in-memory group restored from that checkpoint with {@code codecs}.
     *
     * @throws IllegalArgumentException if an evaluated checkpoint holds no group (not written by a durable group)
     * @throws io.aurora4j.store.StoreCorruptedException if a checkpoint's data is damaged
     * @throws RuntimeException what {@code holds} throws, as it is
     */
    public static Optional<StoredCheckpoint> bisect(Store store, Codecs codecs, Predicate<? super CheckpointView> holds) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(codecs, "codecs");
        Objects.requireNonNull(holds, "holds");
        return HistoryBisect.firstBreaking(store.checkpoints(), cp -> HistoryBisect.holdsAt(store, cp, codecs, holds));
    }
}
