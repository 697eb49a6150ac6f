package io.aurora4j.modelchecks.retry;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.RetryTimeoutException;
import io.aurora4j.txn.TLong;
import java.time.Duration;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * {@code retry()} and {@code orElse} (issue #13) on a one-item slot ({@code 0} = empty), with a rollback racing them.
 * Every operation is non-blocking so that both of Lincheck's runners can run it: {@code offer} and {@code poll} try
 * the blocking alternative first and fall back through {@code orElse} ({@code retry()} in the first alternative
 * discards its writes and runs the second); {@code pollNow} blocks in {@code retry()} with a zero timeout, so it goes
 * through the waiter's registration and re-check ({@code RetryWaiters.await}) and either times out (the slot was
 * empty and nothing it read changed) or, when a commit or the rollback changed what it read in between, re-runs;
 * {@code rollbackToEmpty} rolls the group back to a checkpoint of the empty slot taken at the start, which wakes and
 * re-runs waiters. Spec ({@link Spec}): a slot where each operation is atomic. The blocking wait itself (park and the
 * lost wake-up race) is covered by JCStress ({@code RetryWakeUpTest}, {@code RetryWakeUpRollbackTest}) and the unit
 * tests: a blocked operation has no result for Lincheck to check and would hang its stress runner.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public abstract class RetrySlotLincheckTest extends AbstractLincheckTest {

    /** What {@link #poll()}'s first alternative writes into an empty slot before it retries (never offered). */
    static final long JUNK = 9;

    protected final Group group;
    protected final TLong slot;
    private final Checkpoint empty;

    protected RetrySlotLincheckTest(Group group) {
        this.group = group;
        this.slot = group.newLong("slot", 0);
        this.empty = group.checkpoint("empty");
    }

    /** Puts {@code v} if the slot is empty; false if it is full. */
    @Operation
    public boolean offer(@Param(name = "value") int v) {
        return group.orElse(() -> {
            if (slot.get() != 0) {
                group.retry();
            }
            slot.set(v);
            return true;
        }, () -> false);
    }

    /** Takes the item, or 0 if the slot is empty. */
    @Operation
    public long poll() {
        return group.orElse(() -> {
            long x = slot.get();
            slot.set(x == 0 ? JUNK : 0); // when empty, JUNK is written before the retry: orElse must discard it
            if (x == 0) {
                group.retry();
            }
            return x;
        }, () -> 0L);
    }

    /** Takes the item, or -1 if the slot is empty and stays so (a zero timeout on the retry). */
    @Operation
    public long pollNow() {
        try {
            return group.atomic(Duration.ZERO, () -> {
                long x = slot.get();
                if (x == 0) {
                    group.retry();
                }
                slot.set(0);
                return x;
            });
        } catch (RetryTimeoutException empty) {
            return -1;
        }
    }

    /** Rolls the group back to the empty slot. */
    @Operation
    public void rollbackToEmpty() {
        group.rollback(empty);
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }

    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                // a zero-timeout retry racing the rollback that empties the slot and a refill
                after(thread(call("offer", 1)), thread(call("pollNow")), thread(call("rollbackToEmpty"), call("offer", 2))),
                // poll's discarded write against an offer and a rollback
                after(thread(call("offer", 3)), thread(call("poll"), call("pollNow")), thread(call("offer", 2), call("rollbackToEmpty"))));
    }

    /** The slot, one operation at a time. */
    public static final class Spec {
        private long slot;

        public boolean offer(int v) {
            if (slot != 0) {
                return false;
            }
            slot = v;
            return true;
        }

        public long poll() {
            long x = slot;
            slot = 0;
            return x;
        }

        public long pollNow() {
            long x = slot;
            slot = 0;
            return x == 0 ? -1 : x;
        }

        public void rollbackToEmpty() {
            slot = 0;
        }
    }
}
