package io.aurora4j.txn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Groups for JCStress states. A fresh in-memory group costs about 1-5 µs with two state objects and a
 * checkpoint (measured on a 2-core x86 machine), cheap enough for one group per state, which keeps states
 * independent (no shared clock, epochs or retention between them). Names are unique only for readable
 * error messages; groups are never closed (an in-memory group without regions holds no thread or memory
 * beyond the heap).
 */
final class StressGroups {
    private static final AtomicLong IDS = new AtomicLong();

    private StressGroups() {
    }

    static Group fresh(String prefix) {
        return Group.builder("jcstress-" + prefix + "-" + IDS.incrementAndGet())
                .maintenanceExecutor(Runnable::run) // releases of epochs run on the caller: no thread per state
                .open();
    }
}
