package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commit gate's counting (issue #13: owned counters entered by a volatile store and left by a release store; shared
 * ones by atomic increments). The store-then-load race itself is JCStress's ({@code CommitGateTest},
 * {@code CommitGateSharedCounterTest}); this checks what a single thread's plain read-modify-write must still give: an
 * owner inside twice is waited for until its last exit, and threads past the owned counters share counters that add up.
 */
class CommitGateCountingTest {

    @Test
    void anOwnerInsideTwiceIsWaitedForUntilItsLastExit() throws Exception {
        CommitGate gate = new CommitGate();
        int outer = gate.enter(0);
        int inner = gate.enter(0);
        gate.exit(inner);
        assertDrainWaitsFor(gate, outer, "the owner's last exit");
        assertEquals(-1, gate.tryEnter(0), "entered a closed gate");
        gate.open();
        int again = gate.tryEnter(0);
        assertTrue(again >= 0, "an open gate refused its owner");
        gate.exit(again);
        gate.closeAndDrain(); // returns at once: every counter is back at zero
    }

    @Test
    void threadsPastTheOwnedCountersShareCountersThatAddUp() throws Exception {
        CommitGate gate = new CommitGate();
        int threads = 4;
        int rounds = 200_000;
        // Every stripe below maps to the same shared counter, so lost updates would leave it non-zero.
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int stripe = CommitGate.OWNED + t * CommitGate.SHARED;
            workers[t] = new Thread(() -> {
                for (int i = 0; i < rounds; i++) {
                    int slot = gate.enter(stripe);
                    gate.exit(slot);
                }
            });
        }
        for (Thread w : workers) {
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        int held = gate.enter(CommitGate.OWNED);
        assertDrainWaitsFor(gate, held, "the exit of a commit on a shared counter");
    }

    /**
     * Closes {@code gate} on another thread and checks that its drain waits while counter {@code slot} is still
     * entered, and returns once it is left ({@code exit} names that exit in the failure messages).
     */
    private static void assertDrainWaitsFor(CommitGate gate, int slot, String exit) throws InterruptedException {
        CountDownLatch drained = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            gate.closeAndDrain();
            drained.countDown();
        });
        closer.start();
        assertFalse(drained.await(200, TimeUnit.MILLISECONDS), "the drain returned before " + exit);
        gate.exit(slot);
        assertTrue(drained.await(30, TimeUnit.SECONDS), "the drain did not return after " + exit);
        closer.join();
    }
}
