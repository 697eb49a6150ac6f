package io.aurora4j.modelchecks.region;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Region access under transactions, and during concurrent checkpoint, rollback and fork (ARCHITECTURE.md invariants:
 * atomicity, isolation, consistent cuts, rollback), checked for linearizability against {@link Spec}.
 *
 * <p>Two accounts live in a region of 64-byte pages: account 0 at offset 60, so its 8 bytes span pages 0 and 1,
 * and account 1 on page 3. {@code transfer} moves an amount between them in one transaction, {@code deposit}
 * adds to one; {@code both} reads the two in one transaction and {@code get} reads one outside any scope (a
 * consistent single read). {@code save}, {@code restore}, {@code savedValue} and {@code forkedValue} share one
 * checkpoint slot under a test-side lock (as in the rollback tests): take a checkpoint, roll back to it, read
 * an account through its view, and fork the group from it and read the account in the fork. Everything else
 * runs concurrently with them: a checkpoint must be a cut between commits, a rollback must put back every page
 * at once, and a fork must start from exactly the checkpoint however the origin goes on.
 */
@Param(name = "i", gen = IntGen.class, conf = "0:1")
@Param(name = "amount", gen = IntGen.class, conf = "1:3")
public abstract class RegionAccountsLincheckTest extends AbstractLincheckTest {

    static final long[] OFFSETS = {60, 200};
    static final Throwable CAUSE = new RuntimeException("model check");

    protected final Group group;
    protected final Region region;
    /*
     * A monitor, not a ReentrantLock: with JDK 25's AbstractQueuedSynchronizer, Lincheck's model checker reported
     * restore() and savedValue() "hung" in the lock's acquire loop after forkedValue() had released it (every
     * fresh-clone run of RegionAccountsRetainOneTest at this commit; it passed alone). Lincheck models monitors
     * itself. The slot is the test's bookkeeping, not the component under test.
     */
    private final Object slotLock = new Object();
    private Checkpoint slot; // guarded by slotLock

    protected RegionAccountsLincheckTest(Group group) {
        this.group = group;
        this.region = group.regionBuilder("accounts").capacity(512).pageSize(64).create();
        region.putLong(OFFSETS[0], 100);
        region.putLong(OFFSETS[1], 100);
    }

    /** Moves {@code amount} from account {@code i} to the other; returns the new balance of {@code i}. */
    @Operation
    public long transfer(@Param(name = "i") int i, @Param(name = "amount") int amount) {
        return group.atomic(() -> {
            long from = region.getLong(OFFSETS[i]) - amount;
            region.putLong(OFFSETS[i], from);
            region.putLong(OFFSETS[1 - i], region.getLong(OFFSETS[1 - i]) + amount);
            return from;
        });
    }

    /** Adds {@code amount} to account {@code i}; returns its new balance. */
    @Operation
    public long deposit(@Param(name = "i") int i, @Param(name = "amount") int amount) {
        return group.atomic(() -> {
            long v = region.getLong(OFFSETS[i]) + amount;
            region.putLong(OFFSETS[i], v);
            return v;
        });
    }

    /** Both balances, read in one transaction. */
    @Operation
    public String both() {
        return group.atomic(() -> region.getLong(OFFSETS[0]) + "," + region.getLong(OFFSETS[1]));
    }

    /** One balance, read outside any scope. */
    @Operation
    public long get(@Param(name = "i") int i) {
        return region.getLong(OFFSETS[i]);
    }

    /** Takes a checkpoint into the slot. */
    @Operation
    public void save() {
        synchronized (slotLock) {
            slot = group.checkpoint();
        }
    }

    /** Rolls back to the slot's checkpoint; false if nothing was saved yet. */
    @Operation
    public boolean restore() {
        synchronized (slotLock) {
            if (slot == null) {
                return false;
            }
            group.rollback(slot, CAUSE);
            return true;
        }
    }

    /** Account {@code i} as of the slot's checkpoint, through its view; -1 if nothing was saved yet. */
    @Operation
    public long savedValue(@Param(name = "i") int i) {
        synchronized (slotLock) {
            return slot == null ? -1 : slot.view().getLong(region, OFFSETS[i]);
        }
    }

    /** Forks the group from the slot's checkpoint, moves 1 from account {@code i} in the fork, and reads it there. */
    @Operation
    public long forkedValue(@Param(name = "i") int i) {
        synchronized (slotLock) {
            if (slot == null) {
                return -1;
            }
            try (Group fork = group.fork(slot)) {
                Region r = fork.region("accounts");
                fork.atomic(() -> r.putLong(OFFSETS[i], r.getLong(OFFSETS[i]) - 1)); // diverges: the origin must not see it
                return r.getLong(OFFSETS[i]) + 1;
            }
        }
    }

    /** The sequential specification: two balances and a saved copy of them. */
    public static final class Spec {
        private long[] v = {100, 100};
        private long[] saved;

        public long transfer(int i, int amount) {
            v[i] -= amount;
            v[1 - i] += amount;
            return v[i];
        }

        public long deposit(int i, int amount) {
            return v[i] += amount;
        }

        public String both() {
            return v[0] + "," + v[1];
        }

        public long get(int i) {
            return v[i];
        }

        public void save() {
            saved = v.clone();
        }

        public boolean restore() {
            if (saved == null) {
                return false;
            }
            v = saved.clone();
            return true;
        }

        public long savedValue(int i) {
            return saved == null ? -1 : saved[i];
        }

        public long forkedValue(int i) {
            return saved == null ? -1 : saved[i];
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }

    /**
     * Agrona's buffers read and write off-heap memory, which the model checker cannot see anyway, and its
     * snapshot tracker trips over their interface constants: their methods are treated as atomic, so the
     * checker explores interleavings at the region's own shared accesses (lock word, table, pages' slots).
     */
    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses(
                name -> name.startsWith("org.agrona.") || name.equals("io.aurora4j.txn.Page")
                        || name.equals("java.nio.DirectByteBuffer") || name.startsWith("java.lang.ref.")).allMethods().treatAsAtomic());
    }
}
