package io.aurora4j.boundary;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md invariant 7's "no output was ever released from state that was not durable", on a real directory
 * store over a disk that loses what was not forced ({@link FaultInjectingIO}). A worker increments a counter in
 * transactions and sends each new value through an {@code EXTERNAL} boundary while the group checkpoints every
 * millisecond; at a random moment the power is cut (losing unforced writes, tearing them, or keeping a random subset)
 * or {@code fsync} starts failing. After power comes back, the recovered counter must be at least every value
 * that was delivered, and the deliveries must be exactly 1, 2, 3, ... in order. The oracle (what was delivered)
 * lives in the test, outside the faulty disk.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DurableReleaseOnFaultyDiskTest {
    /** Rounds per kind of fault (system property {@code durable.release.rounds}). */
    private static final int ROUNDS = Integer.getInteger("durable.release.rounds", 12);

    enum Fault { POWER_CUT, POWER_CUT_TORN, POWER_CUT_REORDERED, FSYNC_FAILS }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void nothingDeliveredIsLostWhenTheDiskFails(Fault fault) throws Exception {
        long seed = Long.getLong("durable.release.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            runRound(fault, random.nextLong(), "fault " + fault + ", round " + round + ", seed " + seed
                    + " (-Ddurable.release.seed=" + seed + " to repeat)");
        }
    }

    private static void runRound(Fault fault, long roundSeed, String context) throws Exception {
        Random random = new Random(roundSeed);
        FaultInjectingIO io = new FaultInjectingIO(roundSeed);
        Path dir = Path.of("/disk/counter"); // on the fault-injecting disk; small segments, as it copies a file per force
        List<Long> delivered = new CopyOnWriteArrayList<>();
        AtomicLong committed = new AtomicLong();
        Group g = Group.builder("counter").store(Store.directoryBuilder(dir).io(io).segmentBytes(64 << 10).open())
                .checkpointEvery(Duration.ofMillis(1)).open();
        try {
            TLong counter = g.newLong("counter", 0);
            g.barrier().join(); // the counter itself is on disk: the oracle can always read it back
            int after = random.nextInt(40);
            CountDownLatch enough = new CountDownLatch(after);
            Boundary<Long> out = Boundary.<Long>builder(g, "out").sink(Sink.of(v -> {
                delivered.add(v);
                enough.countDown();
            })).deadLetterHandler(letter -> { }).open();
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    try {
                        long v = g.atomic(() -> {
                            long next = counter.add(1);
                            out.send(next);
                            return next;
                        });
                        committed.set(v);
                    } catch (StoreFailedException failed) {
                        return; // the store failed: nothing more can be acknowledged
                    }
                }
            }, task -> Thread.ofPlatform().name("counter-worker").start(task));
            // Fail the disk after a random number of deliveries (the wait has a deadline; it is not what is checked).
            assertTrue(enough.await(30, TimeUnit.SECONDS), "too few deliveries in 30 s; " + context);
            switch (fault) {
                case POWER_CUT -> io.powerCut(FaultInjectingIO.CutMode.LOSE_UNFORCED);
                case POWER_CUT_TORN -> io.powerCut(FaultInjectingIO.CutMode.TEAR);
                case POWER_CUT_REORDERED -> io.powerCut(FaultInjectingIO.CutMode.REORDER);
                case FSYNC_FAILS -> io.failOn(FaultInjectingIO.Op.FORCE, 1, true);
            }
            // Let the group notice: it fails closed, and the worker's next send fails.
            if (fault == Fault.FSYNC_FAILS) {
                worker.get(30, TimeUnit.SECONDS);
            } else {
                stop.set(true);
                worker.get(30, TimeUnit.SECONDS);
            }
        } finally {
            try {
                g.close();
            } catch (RuntimeException ignored) {
                // the disk is gone: closing cannot write anything
            }
        }
        if (fault == Fault.FSYNC_FAILS) {
            io.powerCut(FaultInjectingIO.CutMode.LOSE_UNFORCED); // what was written but never forced is lost
        }
        io.powerOn();
        long recovered;
        try (Group again = Group.builder("counter").store(Store.directoryBuilder(dir).io(io).segmentBytes(64 << 10).open())
                .checkpointEvery(Duration.ofHours(1)).open()) {
            recovered = again.longRef("counter").get();
        }
        List<Long> got = List.copyOf(delivered);
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i + 1, got.get(i), "deliveries are 1, 2, 3, ... in order; " + context);
        }
        long maxDelivered = got.isEmpty() ? 0 : got.get(got.size() - 1);
        assertTrue(maxDelivered <= recovered, "value " + maxDelivered + " was delivered but the disk recovered only "
                + recovered + " (released before durable); " + context);
        assertTrue(recovered <= committed.get(), "recovered " + recovered + " but only " + committed.get()
                + " were committed; " + context);
    }
}
