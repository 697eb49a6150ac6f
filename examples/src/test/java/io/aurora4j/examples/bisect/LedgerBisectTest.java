package io.aurora4j.examples.bisect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example finds the planted bug, live and on disk, in O(log n) evaluations. */
class LedgerBisectTest {
    @TempDir
    Path tmp;

    @Test
    void findsThePlantedBugLiveAndOnDisk() {
        for (int buggyStep : new int[] {1, 77, 200}) {
            LedgerBisect.Result r = LedgerBisect.run(tmp.resolve("ledger-" + buggyStep), 200, buggyStep);
            assertEquals(r.buggy(), r.found(), "found live: " + r);
            assertEquals(r.buggy(), r.foundOnDisk(), "found on disk: " + r);
            // the group's first checkpoint, the opening one and one per step: 1 + ceil(log2 202) = 9
            assertEquals(202, r.retained());
            assertTrue(r.evaluations() <= 9, r.evaluations() + " evaluations for 202 checkpoints");
        }
    }
}
