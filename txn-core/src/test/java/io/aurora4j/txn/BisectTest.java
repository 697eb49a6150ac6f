package io.aurora4j.txn;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Group#bisect} and {@link DurableHistory#bisect}: the first checkpoint whose view breaks an invariant, found
 * in at most 1 + ceil(log2 n) evaluations (counted), for every position of the first bad checkpoint.
 */
class BisectTest {
    private static final String ACCOUNT = "balance";

    /** The invariant of these tests, written by id so that it works over a live group and over a store. */
    private static Predicate<CheckpointView> nonNegative(AtomicInteger evaluations) {
        return v -> {
            evaluations.incrementAndGet();
            return v.get(v.checkpoint().group().longRef(ACCOUNT)) >= 0;
        };
    }

    private static int bound(int n) {
        return 1 + (32 - Integer.numberOfLeadingZeros(n - 1)); // 1 + ceil(log2 n)
    }

    /** n checkpoints; from step bad on (if bad < n) the balance is negative. */
    private static List<Checkpoint> history(Group g, int n, int bad) {
        TLong balance = g.newLong(ACCOUNT, 100);
        List<Checkpoint> cps = new ArrayList<>();
        for (int step = 0; step < n; step++) {
            int s = step;
            g.atomic(() -> balance.set(s >= bad ? -1 - s : 100 + s));
            cps.add(g.checkpoint("step " + step));
        }
        return cps;
    }

    @Test
    void findsTheFirstBadCheckpointAtEveryPositionInLogarithmicEvaluations() {
        int n = 37;
        for (int bad = 0; bad <= n; bad++) {
            try (Group g = Group.builder("bisect").retainCheckpoints(n + 1).open()) {
                List<Checkpoint> cps = history(g, n, bad);
                assertEquals(cps, g.history().subList(g.history().size() - n, g.history().size()));
                AtomicInteger evaluations = new AtomicInteger();
                Optional<Checkpoint> found = g.bisect(nonNegative(evaluations));
                if (bad == n) {
                    assertEquals(Optional.empty(), found, "the newest holds");
                    assertEquals(1, evaluations.get(), "only the newest is evaluated when it holds");
                } else {
                    assertEquals(Optional.of(cps.get(bad)), found, "first bad step " + bad);
                }
                int retained = g.history().size();
                assertTrue(evaluations.get() <= bound(retained),
                        evaluations.get() + " evaluations over " + retained + " checkpoints, bad at " + bad);
            }
        }
    }

    @Test
    void anEmptyOrSingleHistory() {
        AtomicInteger evaluations = new AtomicInteger();
        assertEquals(Optional.empty(), HistoryBisect.firstBreaking(List.<Integer>of(), x -> {
            evaluations.incrementAndGet();
            return false;
        }));
        assertEquals(0, evaluations.get());
        assertEquals(Optional.of(7), HistoryBisect.firstBreaking(List.of(7), x -> false));
        assertEquals(Optional.empty(), HistoryBisect.firstBreaking(List.of(7), x -> true));
    }

    @Test
    void overAStoresDurableHistory(@TempDir Path dir) {
        int n = 20;
        int bad = 13;
        List<Long> ids = new ArrayList<>();
        try (Group g = Group.builder("bisect").store(Store.directoryBuilder(dir).retainCheckpoints(64).open())
                .checkpointEvery(Duration.ZERO).open()) {
            TLong balance = g.newLong(ACCOUNT, 100);
            g.barrier().join();
            for (int step = 0; step < n; step++) {
                int s = step;
                g.atomic(() -> balance.set(s >= bad ? -1 - s : 100 + s));
                ids.add(g.barrier().join().id()); // no flusher (period zero): one checkpoint per step, written here
            }
        }
        try (Store s = Store.directoryBuilder(dir).retainCheckpoints(64).open()) {
            List<StoredCheckpoint> durable = s.checkpoints();
            AtomicInteger evaluations = new AtomicInteger();
            Optional<StoredCheckpoint> found = DurableHistory.bisect(s, nonNegative(evaluations));
            assertEquals(ids.get(bad), found.orElseThrow().id());
            assertTrue(evaluations.get() <= bound(durable.size()), evaluations.get() + " over " + durable.size());
            assertEquals(durable, s.checkpoints(), "the store was only read");

            AtomicInteger once = new AtomicInteger();
            assertEquals(Optional.empty(), DurableHistory.bisect(s, v -> {
                once.incrementAndGet();
                return v.get(v.checkpoint().group().longRef(ACCOUNT)) != 0;
            }));
            assertEquals(1, once.get());
        }
    }
}
