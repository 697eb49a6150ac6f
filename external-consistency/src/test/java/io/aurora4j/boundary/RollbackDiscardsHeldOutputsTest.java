package io.aurora4j.boundary;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A group rollback discards every held output produced after the checkpoint, and says how many. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RollbackDiscardsHeldOutputsTest {

    private static Boundary<String> manual(Group g, String id, Recorder<String> sink, ManualExecutor ex) {
        return Boundary.<String>builder(g, id).sink(Sink.of(sink)).releaseExecutor(ex).open();
    }

    @Test
    void heldOutputsAfterTheCheckpointAreDiscardedAndCountedInTheEvent() {
        try (Group g = Group.builder("discard").notificationExecutor(Runnable::run).open()) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            Checkpoint cp = g.checkpoint("before");
            g.atomic(() -> {
                x.add(1);
                b.send("in-txn-1");
                b.send("in-txn-2");
            });
            b.send("outside");
            RollbackEvent event = g.rollback(cp);
            assertEquals(3, event.discardedOutputs());
            ex.runAll();
            assertEquals(List.of(), sink.got, "nothing of rolled-back work leaves");
            assertEquals(new Boundary.Stats(0, 0, 3, 0, 0), b.stats());
            assertEquals(0, x.get());
        }
    }

    @Test
    void outputsOfWorkBeforeTheCheckpointSurviveTheRollback() {
        try (Group g = Group.inMemory("survive")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            g.atomic(() -> b.send("before"));
            Checkpoint cp = g.checkpoint();
            g.atomic(() -> b.send("after"));
            b.send("after-outside");
            assertEquals(2, g.rollback(cp).discardedOutputs());
            ex.runAll();
            assertEquals(List.of("before"), sink.got);
            // Work after the rollback belongs to the new epoch, which is live.
            b.send("next");
            ex.runAll();
            assertEquals(List.of("before", "next"), sink.got);
        }
    }

    @Test
    void releasedOutputsStayReleased() {
        try (Group g = Group.inMemory("released")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            Checkpoint cp = g.checkpoint();
            g.atomic(() -> b.send("gone"));
            ex.runAll();
            assertEquals(0, g.rollback(cp).discardedOutputs());
            assertEquals(List.of("gone"), sink.got);
        }
    }

    @Test
    void theCountIsSummedOverTheGroupsBoundariesAndImmediateOnesDiscardNothing() {
        try (Group g = Group.inMemory("several")) {
            Recorder<String> s1 = new Recorder<>();
            Recorder<String> s2 = new Recorder<>();
            Recorder<String> s3 = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b1 = manual(g, "one", s1, ex);
            Boundary<String> b2 = manual(g, "two", s2, ex);
            Boundary<String> imm = Boundary.<String>builder(g, "imm").mode(Boundary.Mode.IMMEDIATE).sink(Sink.of(s3)).releaseExecutor(ex).open();
            Checkpoint cp = g.checkpoint();
            g.atomic(() -> {
                b1.send("1");
                b2.send("2a");
                b2.send("2b");
                imm.send("passes");
            });
            assertEquals(3, g.rollback(cp).discardedOutputs());
            ex.runAll();
            assertEquals(List.of(), s1.got);
            assertEquals(List.of(), s2.got);
            assertEquals(List.of("passes"), s3.got);
        }
    }

    @Test
    void aRollbackToAnOlderCheckpointDiscardsEveryLaterEpoch() {
        try (Group g = Group.inMemory("older")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            b.send("epoch-0");
            Checkpoint first = g.checkpoint();
            b.send("epoch-1");
            g.checkpoint();
            b.send("epoch-2");
            Checkpoint third = g.checkpoint();
            b.send("epoch-3");
            assertEquals(1, g.rollback(third).discardedOutputs());
            b.send("after-first-rollback");
            assertEquals(3, g.rollback(first).discardedOutputs());
            ex.runAll();
            assertEquals(List.of("epoch-0"), sink.got);
        }
    }

    @Test
    void concurrentSendersAndRollbacksNeverDeliverAnOutputTheRollbackCounted() throws Exception {
        // Senders tag each output with the rollback count they saw; rollbacks happen with no release in
        // between, so every output sent after the checkpoint and before a rollback must be discarded by it.
        try (Group g = Group.builder("race").notificationExecutor(Runnable::run).open()) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            Checkpoint cp = g.checkpoint();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(3);
            List<Thread> threads = new ArrayList<>();
            long[] sent = new long[3];
            for (int t = 0; t < 3; t++) {
                int me = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    while (!stop.get()) {
                        if (me == 0) {
                            b.send("outside");
                        } else {
                            g.atomic(() -> {
                                x.add(1);
                                b.send("txn");
                            });
                        }
                        sent[me]++;
                    }
                }));
            }
            started.await();
            long discarded = 0;
            for (int i = 0; i < 200; i++) {
                discarded += g.rollback(cp).discardedOutputs();
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            discarded += g.rollback(cp).discardedOutputs();
            ex.runAll();
            assertEquals(List.of(), sink.got, "every output was sent after the checkpoint and rolled back before any release");
            long total = sent[0] + sent[1] + sent[2];
            assertEquals(total, discarded, "each output is counted by exactly one rollback");
            assertEquals(new Boundary.Stats(0, 0, total, 0, 0), b.stats());
            assertTrue(total > 0);
        }
    }
}
