package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.ExpandableArrayBuffer;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One job: finds, by binary search over a history ordered oldest first, the first element that breaks an invariant
 * ({@link Group#bisect} over retained checkpoints, {@link DurableHistory#bisect} over a store's durable ones).
 *
 * <p>Assumes the invariant, once broken, stays broken (the predicate is monotone along the history); then the
 * answer is exact and costs at most {@code 1 + ceil(log2 n)} evaluations: one of the newest (if it holds there is
 * nothing to find), then halving. Without that assumption it returns <em>a</em> checkpoint that breaks the
 * invariant and whose predecessor holds (or the oldest), like {@code git bisect}. Stateless; thread-safe.
 */
final class HistoryBisect {
    private HistoryBisect() {
    }

    /** The first element of {@code history} for which {@code holds} is false, or empty if it holds for the newest. */
    static <T> Optional<T> firstBreaking(List<T> history, Predicate<? super T> holds) {
        Objects.requireNonNull(holds, "holds");
        int n = history.size();
        if (n == 0 || holds.test(history.get(n - 1))) {
            return Optional.empty();
        }
        int lo = 0; // every element before lo holds
        int hi = n - 1; // history[hi] breaks
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (holds.test(history.get(mid))) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return Optional.of(history.get(hi));
    }

    /**
     * Whether {@code holds} is true of a view of durable checkpoint {@code cp} of {@code store}: its state is copied
     * into a memory store and a group opened over it (no flusher thread), so the view sees exactly what the
     * checkpoint restores, and the original store is only read.
     */
    static boolean holdsAt(Store store, StoredCheckpoint cp, Codecs codecs, Predicate<? super CheckpointView> holds) {
        StoredState state = store.state(cp.id());
        String name = ObjectFormat.storedGroupName(state);
        if (name == null) {
            throw new IllegalArgumentException("checkpoint " + cp.id() + " of " + store.describe()
                    + " holds no group: not written by a durable group");
        }
        Store copy = Store.memory();
        try {
            ExpandableArrayBuffer page = null; // made at the first page: Agrona needs a flag a group without regions does not
            try (CheckpointWriter w = copy.begin(cp.id(), -1, cp.label())) {
                for (StoredState.StoredObject o : state.objects()) {
                    w.putObject(o.id(), o.kind(), o.value());
                    state.forEachEntry(o.id(), (k, v) -> w.putEntry(o.id(), k, v));
                    for (long index : state.pages(o.id())) {
                        if (page == null) {
                            page = new ExpandableArrayBuffer(4096);
                        }
                        int length = state.readPage(o.id(), index, page, 0);
                        w.putPage(o.id(), index, page, 0, length);
                    }
                }
                w.commit();
            }
            GroupBuilder b = Group.builder(name).store(copy).checkpointEvery(Duration.ZERO);
            if (codecs != null) {
                b.codecs(codecs);
            }
            try (Group g = b.open()) {
                return holds.test(g.history().getFirst().view());
            }
        } finally {
            copy.close();
        }
    }
}
