package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Write sets above the insertion-sort size are locked in the order they were written and put in lock order only when a
 * box is found held by another commit (the commit then gives back what it holds and locks again in order). These tests
 * hold what that must keep: commits writing the same boxes in opposite orders all complete, none loses an update, every
 * body sees one snapshot, and a rollback restores every box of such commits.
 */
class LargeWriteSetTest {
    private static final int BOXES = 40;          // above WriteSetOrder.INSERTION_LIMIT
    private static final int COMMITS_PER_THREAD = 300;

    @Test
    void commitsOverTheSameBoxesInOppositeOrdersAllLandAndEveryBodySeesOneSnapshot() throws Exception {
        try (Group g = Group.inMemory("large-write-sets")) {
            List<TLong> boxes = newBoxes(g);
            List<TLong> reversed = new ArrayList<>(boxes.reversed());
            AtomicInteger torn = new AtomicInteger();
            Concurrently.run(3, index -> {
                List<TLong> order = index == 0 ? boxes : reversed;
                for (int c = 0; c < COMMITS_PER_THREAD; c++) {
                    if (index == 2) {
                        g.atomic(() -> {                 // an auditor: every box is incremented by every commit
                            long first = boxes.getFirst().get();
                            for (TLong b : boxes) {
                                if (b.get() != first) {
                                    torn.incrementAndGet();
                                }
                            }
                        });
                    } else {
                        g.atomic(() -> {
                            for (TLong b : order) {
                                b.set(b.get() + 1);     // read-modify-write: the read is validated by the lock
                            }
                        });
                    }
                }
            });
            assertEquals(0, torn.get(), "an attempt saw boxes from different commits");
            for (TLong b : boxes) {
                assertEquals(2 * COMMITS_PER_THREAD, b.get(), b.id());
            }
        }
    }

    @Test
    void blindWritesInOppositeOrdersLeaveEveryBoxFromOneCommit() throws Exception {
        try (Group g = Group.inMemory("large-blind-writes")) {
            List<TLong> boxes = newBoxes(g);
            List<TLong> reversed = new ArrayList<>(boxes.reversed());
            Concurrently.run(2, index -> {
                List<TLong> order = index == 0 ? boxes : reversed;
                for (int c = 1; c <= COMMITS_PER_THREAD; c++) {
                    long value = index * 1_000_000L + c;
                    g.atomic(() -> {
                        for (TLong b : order) {
                            b.set(value);               // no reads: only the locks order these commits
                        }
                    });
                }
            });
            long last = boxes.getFirst().get();
            for (TLong b : boxes) {
                assertEquals(last, b.get(), "the boxes hold values of different commits: " + b.id());
            }
        }
    }

    @Test
    void aRollbackRestoresEveryBoxOfALargeCommit() {
        try (Group g = Group.inMemory("large-rollback")) {
            List<TLong> boxes = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                boxes.add(g.newLong("b" + i, i));
            }
            Checkpoint cp = g.checkpoint();
            g.atomic(() -> {
                for (int i = boxes.size() - 1; i >= 0; i -= 2) { // against creation order, half of them, twice
                    boxes.get(i).set(-1);
                    boxes.get(i).set(boxes.get(i).get() - 1);
                }
            });
            assertEquals(-2, boxes.get(999).get());
            assertEquals(998, boxes.get(998).get());
            g.rollback(cp);
            for (int i = 0; i < boxes.size(); i++) {
                assertEquals(i, boxes.get(i).get(), boxes.get(i).id());
            }
        }
    }

    /** {@link #BOXES} longs at 0, in creation (lock) order. */
    private static List<TLong> newBoxes(Group g) {
        List<TLong> boxes = new ArrayList<>();
        for (int i = 0; i < BOXES; i++) {
            boxes.add(g.newLong("b" + i, 0));
        }
        return boxes;
    }
}
