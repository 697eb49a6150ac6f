package io.aurora4j.boundary;

import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.TxnSpi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release rule as a watermark: with a condition that holds epochs after a checkpoint (what a pending
 * speculation, or a checkpoint not yet durable, will be), outputs wait, go in order once it moves, and are
 * discarded if the group rolls back to that checkpoint. This is the machinery issues 5 and 6 plug into.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReleaseConditionTest {

    @Test
    void outputsWaitForTheWatermarkAndGoInOrderWhenItMoves() {
        try (Group g = Group.inMemory("held")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            b.send("before");
            Checkpoint cp = g.checkpoint();
            AtomicLong watermark = new AtomicLong(TxnSpi.epochOf(cp)); // like a speculation begun at cp
            GroupOutputs outputs = GroupOutputs.of(g);
            Runnable remove = outputs.addCondition(watermark::get);
            g.atomic(() -> b.send("speculative-1"));
            b.send("speculative-2");
            CompletableFuture<Void> flushed = b.flush();
            ex.runAll();
            assertEquals(List.of("before"), sink.got, "outputs of the held epochs wait");
            assertFalse(flushed.isDone(), "a flush waits for held outputs");
            watermark.set(Long.MAX_VALUE); // confirmed
            outputs.conditionsChanged();
            ex.runAll();
            assertEquals(List.of("before", "speculative-1", "speculative-2"), sink.got);
            assertTrue(flushed.isDone());
            remove.run();
        }
    }

    @Test
    void aRollbackToTheHeldCheckpointDiscardsWhatWaitedAndLetsLaterWorkGo() {
        try (Group g = Group.inMemory("failed")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            Checkpoint cp = g.checkpoint();
            GroupOutputs outputs = GroupOutputs.of(g);
            Runnable remove = outputs.addCondition(() -> TxnSpi.epochOf(cp));
            g.atomic(() -> b.send("speculative"));
            CompletableFuture<Void> flushed = b.flush();
            ex.runAll();
            assertEquals(1, g.rollback(cp).discardedOutputs());
            remove.run(); // the speculation failed and is gone
            ex.runAll();
            assertTrue(flushed.isDone(), "a flush completes when what it waited for was discarded");
            b.send("conservative");
            ex.runAll();
            assertEquals(List.of("conservative"), sink.got);
            assertEquals(new Boundary.Stats(0, 1, 1, 0, 0), b.stats());
        }
    }

    @Test
    void releaseIsAPrefixAHeldOutputHoldsBackTheOnesAfterIt() {
        try (Group g = Group.inMemory("prefix")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            Checkpoint cp = g.checkpoint();
            long cut = TxnSpi.epochOf(cp);
            AtomicLong watermark = new AtomicLong(cut);
            GroupOutputs outputs = GroupOutputs.of(g);
            outputs.addCondition(watermark::get);
            b.send("held"); // epoch cut + 1
            b.flush();
            ex.runAll();
            assertEquals(List.of(), sink.got);
            watermark.set(cut + 1);
            outputs.conditionsChanged();
            ex.runAll();
            assertEquals(List.of("held"), sink.got);
        }
    }
}
