package io.aurora4j.boundary;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.spi.TxnSpi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariants 5 and 7 in a durable group: an {@code EXTERNAL} boundary releases an output only once the checkpoint
 * containing its work is durable; the flusher wakes it (no polling, no further send); FIFO holds across
 * checkpoints; after a store failure nothing not yet released is ever released; outputs of rolled-back work are
 * never delivered.
 *
 * <p>Timing is controlled, not measured: groups checkpoint every hour, and while a test asserts "not yet
 * delivered" its {@link ControlledStore} holds every commit, so nothing can become durable whenever the flusher
 * runs; the assertion comes after a {@link ManualExecutor} has run every release task there is, never after a
 * sleep.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableReleaseTest {
    private static final Duration NEVER = Duration.ofHours(1);

    private static Group durable(String name, Store store) {
        Group g = Group.builder(name).store(store).checkpointEvery(NEVER).open();
        g.barrier().join(); // the group's first checkpoint is on disk: later outputs wait only for their own
        return g;
    }

    /** The value of TLong {@code id} in the store's newest durable checkpoint, or -1 if it holds none. */
    private static long durableValue(Store store, String id) {
        var last = store.lastDurable();
        if (last.isEmpty()) {
            return -1;
        }
        for (StoredState.StoredObject o : store.state(last.get().id()).objects()) {
            if (o.id().equals(id)) {
                long v = 0;
                for (int i = 0; i < 8; i++) {
                    v = (v << 8) | (o.value()[i] & 0xFF);
                }
                return v;
            }
        }
        return -1;
    }

    @Test
    void anOutputWaitsUntilItsCheckpointIsDurable() {
        ControlledStore store = new ControlledStore(Store.memory());
        try (Group g = durable("acks", store)) {
            TLong x = g.newLong("x", 0);
            store.holdCommits();
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            g.atomic(() -> {
                x.add(1);
                b.send("x=1");
            });
            CompletableFuture<Void> flushed = b.flush();
            ex.runAll();
            assertEquals(List.of(), sink.got, "committed but not durable: held");
            assertFalse(flushed.isDone(), "a flush waits for outputs held for durability");
            assertEquals(1, b.stats().pending());

            Checkpoint cp = g.checkpoint(); // closes the epoch; not yet on disk
            ex.runAll();
            assertEquals(List.of(), sink.got, "a checkpoint that is not durable releases nothing");
            assertFalse(cp.durable().isDone());

            store.releaseCommits();
            g.barrier().join();
            b.flush(); // the flusher's own wake-up is checked with a real executor below; here, run the task now
            ex.runAll();
            assertTrue(flushed.isDone());
            assertEquals(List.of("x=1"), sink.got);
            assertEquals(1, durableValue(store, "x"), "what the output reports is on disk");
        }
    }

    @Test
    void theFlusherWakesTheBoundaryWithoutAnotherSendOrFlush() throws InterruptedException {
        ControlledStore store = new ControlledStore(Store.memory());
        try (Group g = durable("wake", store)) {
            TLong x = g.newLong("x", 0);
            store.holdCommits();
            CountDownLatch delivered = new CountDownLatch(1);
            List<Long> durableAtDelivery = new CopyOnWriteArrayList<>();
            Boundary<Long> b = Boundary.external(g, "out", v -> {
                durableAtDelivery.add(durableValue(store, "x"));
                delivered.countDown();
            });
            g.atomic(() -> b.send(x.add(1)));
            assertFalse(delivered.await(0, TimeUnit.MILLISECONDS)); // cannot be: nothing can become durable
            store.releaseCommits();
            g.barrier().join();
            // Only the flusher's notification can release it now; a missing wake-up hangs here (and times out).
            assertTrue(delivered.await(30, TimeUnit.SECONDS), "the output was not released after its checkpoint became durable");
            assertEquals(List.of(1L), durableAtDelivery);
        }
    }

    @Test
    void deliveredOutputsAreAlwaysDurableAndFifoHoldsAcrossCheckpoints() throws Exception {
        Store store = Store.memory();
        try (Group g = durable("fifo", store)) {
            TLong counter = g.newLong("counter", 0);
            List<long[]> got = new CopyOnWriteArrayList<>(); // {thread, seq, counter value, durable value at delivery}
            Boundary<long[]> b = Boundary.external(g, "out", o -> got.add(new long[] {o[0], o[1], o[2], durableValue(store, "counter")}));
            int threads = 3;
            int perThread = 300;
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            // Checkpoints become durable only when this thread says so, at its own pace, while the workers commit.
            Thread checkpointer = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    g.barrier().join();
                    Thread.yield();
                }
            });
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long thread = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        long seq = i;
                        g.atomic(() -> b.send(new long[] {thread, seq, counter.add(1)}));
                        if (i % 10 == 9) {
                            b.flush().join(); // what this thread sent has gone, interleaving delivery with commits
                        }
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            done.set(true);
            checkpointer.join();
            g.barrier().join();
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(threads * perThread, got.size());
            long[] next = new long[threads];
            long lastCounter = 0;
            for (long[] o : got) {
                assertEquals(next[(int) o[0]]++, o[1], "per-thread FIFO");
                assertTrue(o[2] > lastCounter, "counter values go up in commit order: " + o[2] + " after " + lastCounter);
                lastCounter = o[2];
                assertTrue(o[3] >= o[2], "output counter=" + o[2] + " was released while the disk held only " + o[3]);
            }
        }
    }

    @Test
    void withAnotherConditionAnOutputWaitsForBoth() {
        ControlledStore store = new ControlledStore(Store.memory());
        try (Group g = durable("both", store)) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            Checkpoint cp = g.checkpoint();
            AtomicLong speculation = new AtomicLong(TxnSpi.epochOf(cp)); // what a speculation begun at cp holds
            GroupOutputs outputs = GroupOutputs.of(g);
            outputs.addCondition(speculation::get);
            store.holdCommits();
            g.atomic(() -> {
                x.add(1);
                b.send("speculative and not durable");
            });
            ex.runAll();
            assertEquals(List.of(), sink.got);
            speculation.set(Long.MAX_VALUE); // confirmed, but its checkpoint is not durable
            outputs.conditionsChanged();
            ex.runAll();
            assertEquals(List.of(), sink.got, "confirmed is not enough in a durable group");
            speculation.set(TxnSpi.epochOf(cp)); // pending again (a new speculation at the same point)
            store.releaseCommits();
            g.barrier().join();
            b.flush();
            ex.runAll();
            assertEquals(List.of(), sink.got, "durable is not enough while a speculation is pending");
            speculation.set(Long.MAX_VALUE);
            outputs.conditionsChanged();
            ex.runAll();
            assertEquals(List.of("speculative and not durable"), sink.got);
        }
    }

    @Test
    void anOutputOfAnEpochWithoutWritesIsStillReleased() throws Exception {
        // Default period: the flusher skips epochs without writes, so the boundary must get the epoch closed itself.
        Store store = Store.memory();
        try (Group g = Group.builder("idle").store(store).checkpointEvery(Duration.ofMillis(10)).open()) {
            TLong x = g.newLong("x", 7);
            g.barrier().join();
            Recorder<String> sink = new Recorder<>();
            Boundary<String> b = Boundary.external(g, "out", sink);
            b.send("outside any transaction");
            g.atomic(() -> b.send("read-only: x=" + x.get()));
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(List.of("outside any transaction", "read-only: x=7"), sink.got);
        }
    }

    @Test
    void afterAStoreFailureNothingHeldIsEverReleased() {
        ControlledStore store = new ControlledStore(Store.memory());
        try (Group g = durable("failing", store)) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            List<DeadLetter<? extends String>> dead = new CopyOnWriteArrayList<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex)
                    .deadLetterHandler(dead::add).open();
            Boundary<String> trace = Boundary.<String>builder(g, "trace").mode(Boundary.Mode.IMMEDIATE).sink(Sink.of(sink))
                    .releaseExecutor(ex).open();

            g.atomic(() -> {
                x.add(1);
                b.send("durable");
            });
            g.barrier().join(); // "durable" is covered, but not released yet: no task has run
            store.holdCommits(); // until the failure is armed: no flusher round may make "lost" durable
            g.atomic(() -> {
                x.add(1);
                b.send("lost");
            });
            store.failNextCommit();
            store.releaseCommits();
            CompletionException e = assertThrows(CompletionException.class, () -> g.barrier().join());
            assertInstanceOf(StoreFailedException.class, e.getCause());
            assertTrue(TxnSpi.durabilityFailed(g));

            CompletableFuture<Void> flushed = b.flush();
            ex.runAll();
            assertEquals(List.of("durable"), sink.got, "what the last durable checkpoint covers still goes; nothing after it");
            assertEquals(1, dead.size());
            assertEquals("lost", dead.get(0).output());
            assertInstanceOf(StoreFailedException.class, dead.get(0).cause(), "the store's failure, the sink was never called");
            UndeliveredOutputsException undelivered = assertThrows(UndeliveredOutputsException.class, () -> {
                try {
                    flushed.join();
                } catch (CompletionException c) {
                    throw c.getCause();
                }
            });
            assertEquals(1, undelivered.undelivered());

            // Later sends fail at once; in a transaction, the transaction rolls back with them.
            StoreFailedException refused = assertThrows(StoreFailedException.class, () -> g.atomic(() -> {
                x.add(100);
                b.send("after the failure");
            }));
            assertTrue(refused.getMessage().contains("'failing'") && refused.getMessage().contains("'out'"), refused.getMessage());
            assertEquals(2, x.get(), "the refused transaction left nothing");
            assertThrows(StoreFailedException.class, () -> b.send("outside"));
            trace.send("immediate boundaries are not held by durability");
            ex.runAll();
            assertEquals(List.of("durable", "immediate boundaries are not held by durability"), sink.got);
            assertEquals(new Boundary.Stats(0, 1, 0, 1, 0), b.stats());
        }
    }

    @Test
    void outputsStagedBeforeAFailureAndCommittedAfterItAreNeverReleased() throws Exception {
        ControlledStore store = new ControlledStore(Store.memory());
        try (Group g = durable("late", store)) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            List<DeadLetter<? extends String>> dead = new CopyOnWriteArrayList<>();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).deadLetterHandler(dead::add).open();
            CountDownLatch staged = new CountDownLatch(1);
            CountDownLatch failedNow = new CountDownLatch(1);
            Thread t = Thread.ofPlatform().start(() -> g.atomic(() -> {
                x.add(1);
                b.send("staged before the failure");
                staged.countDown();
                try {
                    failedNow.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            staged.await();
            store.failNextCommit();
            assertThrows(CompletionException.class, () -> g.barrier().join());
            failedNow.countDown();
            t.join();
            CompletableFuture<Void> flushed = b.flush();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> flushed.get(30, TimeUnit.SECONDS));
            assertInstanceOf(UndeliveredOutputsException.class, failed.getCause());
            assertEquals(List.of(), sink.got);
            assertEquals(List.of("staged before the failure"), dead.stream().map(DeadLetter::output).toList());
        }
    }

    @Test
    void outputsOfRolledBackWorkAreNeverDelivered() throws Exception {
        ControlledStore store = new ControlledStore(Store.memory());
        try (Group g = durable("undo", store)) {
            TLong x = g.newLong("x", 0);
            store.holdCommits(); // nothing of the work below becomes durable before the rollback
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            Checkpoint before = g.checkpoint("before");
            g.atomic(() -> {
                x.add(1);
                b.send("rolled back, epoch still open");
            });
            g.checkpoint(); // closes that epoch: checkpointed, not durable
            g.atomic(() -> {
                x.add(1);
                b.send("rolled back, later epoch");
            });
            assertThrows(IllegalArgumentException.class, () -> g.atomic(() -> {
                x.add(10);
                b.send("aborted");
                throw new IllegalArgumentException("abort");
            }));
            ex.runAll();
            assertEquals(List.of(), sink.got);
            assertEquals(2, g.rollback(before).discardedOutputs());
            store.releaseCommits();
            g.atomic(() -> {
                x.add(5);
                b.send("after the rollback: x=" + x.get());
            });
            g.barrier().join();
            b.flush();
            ex.runAll();
            assertEquals(List.of("after the rollback: x=5"), sink.got);
            assertEquals(5, durableValue(store, "x"));
            assertEquals(new Boundary.Stats(0, 1, 2, 0, 0), b.stats());
        }
    }

    @Test
    void aRecoveredGroupReleasesOnlyWhatItsOwnCheckpointsMadeDurable(@TempDir Path dir) throws Exception {
        try (Group g = Group.builder("kv").store(Store.directory(dir)).checkpointEvery(NEVER).open()) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            Boundary<String> b = Boundary.external(g, "out", sink);
            g.atomic(() -> {
                x.add(1);
                b.send("first life");
            });
            g.barrier().join();
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(List.of("first life"), sink.got);
        }
        ControlledStore store = new ControlledStore(Store.directory(dir));
        try (Group g = Group.builder("kv").store(store).checkpointEvery(NEVER).open()) {
            TLong x = g.longRef("x");
            assertEquals(1, x.get());
            store.holdCommits();
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            g.atomic(() -> {
                x.add(1);
                b.send("second life");
            });
            ex.runAll();
            assertEquals(List.of(), sink.got, "the recovered checkpoint does not cover new work");
            store.releaseCommits();
            g.barrier().join();
            b.flush();
            ex.runAll();
            assertEquals(List.of("second life"), sink.got);
        }
    }
}
