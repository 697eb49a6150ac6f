package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13: a checkpoint that holds an overwrite of {@code x} must hold every transaction that read the value
 * it replaced (that transaction serializes first), also when that transaction's commit could skip read
 * validation because no commit ticked the clock since it began (TL2's {@code wv == rv + 1}).
 *
 * <p>The window is a few instructions of the overwriter's commit (between its epoch read and its clock tick),
 * which neither the model checker (model-checks' {@code AntiDependencyCutTest}) nor real threads reach within a
 * test's budget, so this test drives it step by step. T1 is a real transaction: {@code y = x + 1}. T2, the
 * overwriter, is played by the test with the same steps {@code Txn.commit} takes for a one-box write set in a
 * non-logging epoch: lock {@code x}, read the epoch, (later) tick the clock, write back, unlock with the new
 * version. In between, inside T1's body after it read {@code x}, a checkpoint publishes the next epoch.
 */
class CutAfterSkippedValidationIssue13Test {

    @Test
    void aCheckpointHoldingAnOverwriteHoldsTheTransactionThatReadTheOldValueWhenNoCommitTickedTheClock() {
        try (Group g = Group.inMemory("issue13")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            Overwriter t2 = new Overwriter(g, x);
            Checkpoint[] cp = new Checkpoint[1];
            int[] attempts = new int[1];
            long seen = g.atomic(() -> {
                if (++attempts[0] == 1) {
                    long sx = x.get(); // T1 reads x = 0 ...
                    t2.lockAndReadEpoch(); // ... then T2 locks x and reads the epoch, still the first one
                    cp[0] = g.checkpoint(); // a checkpoint publishes the next epoch: T2 falls before it
                    y.set(sx + 1); // T1 commits next: after the checkpoint, with no tick since it began
                    return sx;
                }
                t2.finishIfStarted(); // T1 was aborted: T2 goes on, then T1 re-runs after it
                long sx = x.get();
                y.set(sx + 1);
                return sx;
            });
            t2.finishIfStarted(); // T1 committed without seeing T2: T2 ticks and writes back in its epoch

            long cutX = cp[0].view().get(x);
            long cutY = cp[0].view().get(y);
            assertEquals(1, cutX, "T2 read the epoch before the checkpoint: its write is in the cut");
            assertTrue(seen == cutX || cutY == seen + 1,
                    "the checkpoint holds T2's x = 1 but not T1 (y = " + cutY + "), although T1 read x = " + seen
                            + " before T2 overwrote it, so T1 serializes first: not a prefix of the serialization order");
            assertEquals(seen + 1, y.get());
        }
    }

    /** T2 of the issue, a commit of {@code x = 1} driven step by step as {@code Txn.commit} runs it. */
    private static final class Overwriter {
        private final Group g;
        private final TLong x;
        private long lockedMeta = -1;

        Overwriter(Group g, TLong x) {
            this.g = g;
            this.x = x;
        }

        void lockAndReadEpoch() {
            long m = x.lvMeta();
            assertTrue((m & VBox.LOCKED) == 0 && x.casMeta(m, m | VBox.LOCKED));
            lockedMeta = m;
            Epoch e = g.currentEpoch();
            assertTrue(!e.logging, "the first epoch logs no pre-images, so these steps are the whole write-back");
        }

        void finishIfStarted() {
            if (lockedMeta < 0) {
                return;
            }
            long wv = g.tick();
            x.spValue(1);
            x.soMeta(wv << 2);
            lockedMeta = -1;
        }
    }
}
