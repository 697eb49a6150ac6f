package io.aurora4j.txn;

import io.aurora4j.store.Store;
import io.aurora4j.store.spi.StoredState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariants 3 and 7 under real contention: threads transfer between accounts non-stop while the test thread runs
 * barriers and reads every stored checkpoint back from the store; each must add up. A flush that read a dirty box's
 * live value instead of its value at the cut, or walked an epoch's undo list before the commits of that epoch had
 * pushed their pre-images, writes a state that does not (the model check in model-checks explores the same races
 * in small scenarios; this test hits them by volume). Both breaks were tried: the live read fails within the first
 * few hundred rounds, the missing wait within a few thousand (one run in three at 3,000 rounds), so the default is
 * 15,000 rounds (about 3 s).
 */
@Timeout(120)
class DurableCutUnderLoadTest {
    private static final int ACCOUNTS = 8;
    private static final long INITIAL = 1_000;

    @Test
    void everyStoredCheckpointAddsUpWhileTransfersRun() throws Exception {
        Store store = Store.memory();
        try (Group g = Group.builder("load").store(store).checkpointEvery(Duration.ZERO).open()) {
            TLong[] accounts = new TLong[ACCOUNTS];
            for (int i = 0; i < ACCOUNTS; i++) {
                accounts[i] = g.newLong("acct-" + i, INITIAL);
            }
            g.barrier().join();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        int from = random.nextInt(ACCOUNTS);
                        int to = random.nextInt(ACCOUNTS);
                        long amount = 1 + random.nextInt(5);
                        g.atomic(() -> {
                            accounts[from].add(-amount);
                            accounts[to].add(amount);
                        });
                    }
                }));
            }
            int rounds = Integer.getInteger("durable.cutRounds", 15_000);
            int checked = 0;
            try {
                for (int round = 0; round < rounds; round++) {
                    long id = g.barrier().join().id();
                    StoredState state = store.state(store.lastDurable().orElseThrow().id());
                    long sum = 0;
                    int found = 0;
                    for (StoredState.StoredObject o : state.objects()) {
                        if (o.id().startsWith("acct-")) {
                            sum += ObjectFormat.readLong(o.value(), 0);
                            found++;
                        }
                    }
                    assertEquals(ACCOUNTS, found);
                    assertEquals(ACCOUNTS * INITIAL, sum, "stored checkpoint " + id + " is not a cut");
                    checked++;
                }
            } finally {
                stop.set(true);
                for (Thread t : workers) {
                    t.join();
                }
            }
            assertTrue(checked == rounds);
            long live = 0;
            for (TLong a : accounts) {
                live += a.get();
            }
            assertEquals(ACCOUNTS * INITIAL, live);
        }
    }
}
