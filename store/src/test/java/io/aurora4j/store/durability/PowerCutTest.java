package io.aurora4j.store.durability;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.internal.DirectoryStore;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.FaultInjectingIO.CutMode;
import io.aurora4j.store.testing.RandomCheckpoints;
import io.aurora4j.store.testing.StateModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ARCHITECTURE.md invariant 7 under power cuts: random workloads of checkpoints on a disk that loses what was not
 * forced (and tears or reorders unforced writes), cut at random points — during writes, forces, segment creation,
 * compaction and recovery itself. After each cut the store reopens at the last acknowledged checkpoint or
 * the one whose commit was in progress, with exactly its state, and every retained checkpoint intact: never
 * a hole, never a mix. The number of cuts is {@code store.powerCuts} (200 by default, 1000 with -Pthorough).
 */
class PowerCutTest {
    private static final Path DIR = Path.of("/disk/store");
    private static final int CUTS_PER_DISK = 4;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reopenAfterAnyPowerCutYieldsTheLastAcknowledgedCheckpointOrTheOneInProgress() {
        powerCuts(false);
    }

    /**
     * The same with a workload that makes nearly every commit a cleaning one (incremental checkpoints, eager
     * cleaning): cuts land among the copies a commit writes before its COMMIT, and in the compaction that
     * follows it.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reopenAfterAnyPowerCutDuringCleaningYieldsTheLastAcknowledgedCheckpointOrTheOneInProgress() {
        powerCuts(true);
    }

    private static void powerCuts(boolean cleaning) {
        int cuts = Integer.getInteger("store.powerCuts", 200);
        long seed = Long.getLong("store.seed", 20240611L);
        Random random = new Random(seed);
        int done = 0;
        int inProgressSurvived = 0;
        int cutDuringRecovery = 0;
        int commits = 0;
        int cleaningCommits = 0;
        for (int disk = 0; done < cuts; disk++) {
            FaultInjectingIO io = new FaultInjectingIO(seed + disk);
            RandomCheckpoints work = new RandomCheckpoints(seed * 31 + disk).maxChanges(8).bigPageEvery(60).abortChance(0.05);
            if (cleaning) {
                work.fullChance(0.02);
            }
            for (int c = 0; c < CUTS_PER_DISK && done < cuts; c++, done++) {
                String where = (cleaning ? "cleaning, " : "") + "seed " + seed + " disk " + disk + " cut " + c;
                CutMode mode = CutMode.values()[random.nextInt(CutMode.values().length)];
                Store store = reopen(io, where, cleaning);
                io.cutPowerAfter(1 + random.nextInt(40), mode);
                try {
                    while (true) {
                        long before = ((DirectoryStore) store).relocatedRecords();
                        work.writeOne(store);
                        commits++;
                        if (((DirectoryStore) store).relocatedRecords() > before) {
                            cleaningCommits++;
                        }
                    }
                } catch (StoreException expected) {
                    assertTrue(io.isPowerOff(), where + ": the store failed without a power cut: " + expected);
                }
                store.close(); // the dead process' handles: closing them fails quietly
                io.powerOn();
                if (random.nextInt(3) == 0 && cutDuringRecovery(io, random, where, cleaning)) {
                    cutDuringRecovery++; // recovery's truncation of the torn tail was itself cut
                }
                try (Store again = reopen(io, where, cleaning)) {
                    long last = again.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
                    long acknowledged = work.lastCommitted();
                    boolean inProgress = work.pending() != null && last == work.inProgress();
                    assertTrue(last == acknowledged || inProgress, where + " (" + mode + "): reopened at " + last
                            + ", acknowledged " + acknowledged + ", in progress " + work.inProgress());
                    if (inProgress) {
                        inProgressSurvived++;
                    }
                    work.recoveredAt(last);
                    for (StoredCheckpoint cp : again.checkpoints()) {
                        StateModel model = work.committed().get(cp.id());
                        assertNotNull(model, where + ": checkpoint " + cp.id() + " was never written");
                        assertNull(model.difference(again.state(cp.id())), where + ": checkpoint " + cp.id());
                    }
                }
            }
        }
        assertTrue(done >= cuts);
        // the cuts must also hit the window between the COMMIT write and the force, and recovery itself
        assertTrue(inProgressSurvived > 0, "no in-progress checkpoint ever survived a cut");
        assertTrue(cutDuringRecovery > 0 || cuts < 100, "no cut hit recovery");
        if (cleaning) {
            // each disk gets only a few dozen mutating calls between cuts, so cleaning starts on few of its commits
            assertTrue(cleaningCommits > commits / 10, cleaningCommits + " of " + commits + " commits copied records forward");
        }
        System.out.printf("power cuts%s: %d, in-progress checkpoints that survived: %d, cuts inside recovery: %d,"
                        + " acknowledged commits that copied records forward: %d of %d%n", cleaning ? " (cleaning)" : "",
                done, inProgressSurvived, cutDuringRecovery, cleaningCommits, commits);
    }

    /** Opens the store with a power cut armed inside recovery; whether it hit. */
    private static boolean cutDuringRecovery(FaultInjectingIO io, Random random, String where, boolean cleaning) {
        io.cutPowerAfter(1 + random.nextInt(2), CutMode.values()[random.nextInt(3)]);
        try {
            Store s = reopen(io, where, cleaning);
            io.heal();
            s.close();
            return false;
        } catch (AssertionError e) {
            assertTrue(io.isPowerOff(), where + ": open failed without a power cut: " + e.getCause());
            io.heal();
            io.powerOn();
            return true;
        }
    }

    private static Store reopen(FaultInjectingIO io, String where, boolean cleaning) {
        try {
            var b = Store.directoryBuilder(DIR).segmentBytes(4096).retainCheckpoints(3).io(io);
            return (cleaning ? b.cleaningTrigger(0) : b).open();
        } catch (StoreException e) {
            throw new AssertionError(where + ": recovery failed", e);
        }
    }
}
