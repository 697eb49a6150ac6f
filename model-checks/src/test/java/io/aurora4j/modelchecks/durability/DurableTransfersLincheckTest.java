package io.aurora4j.modelchecks.durability;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.GroupBuilder;
import io.aurora4j.txn.TLong;
import java.util.List;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Durable checkpoints written while transactions run (ARCHITECTURE.md invariants 3 and 7): transfers keep the total of
 * three accounts constant, so every checkpoint the store holds must have that total — an incremental flush that
 * missed a commit of its epoch (one still pushing its pre-images when the flush read the undo lists), read a value
 * from the wrong side of the cut, or mixed two checkpoints would write a state that does not add up. Threads
 * transfer, take checkpoints, run barriers (with periodic checkpoints off, a barrier writes on the calling thread,
 * so the model checker controls the flush) and read the total of the newest durable checkpoint from the store.
 */
@Param(name = "account", gen = IntGen.class, conf = "0:2")
@Param(name = "amount", gen = IntGen.class, conf = "1:3")
public abstract class DurableTransfersLincheckTest extends AbstractLincheckTest {

    static final int ACCOUNTS = 3;
    static final long INITIAL = 100;
    static final long TOTAL = ACCOUNTS * INITIAL;

    protected final Store store;
    protected final Group group;
    protected final TLong[] accounts = new TLong[ACCOUNTS];

    /** {@code configuration} gives the builder of a group durable in the (memory) store it is handed. */
    protected DurableTransfersLincheckTest(java.util.function.Function<Store, GroupBuilder> configuration) {
        this.store = Store.memory();
        this.group = configuration.apply(store).open();
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts[i] = group.newLong("acct-" + i, INITIAL);
        }
    }

    @Operation
    public void transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                         @Param(name = "amount") int amount) {
        group.atomic(() -> {
            accounts[from].set(accounts[from].get() - amount);
            accounts[to].set(accounts[to].get() + amount);
        });
    }

    @Operation
    public void checkpoint() {
        group.checkpoint();
    }

    /** A barrier: the newest checkpoint is durable when it returns. */
    @Operation
    public void barrier() {
        group.barrier().join();
    }

    /** The total of the newest durable checkpoint, read back from the store. */
    @Operation
    public long storedTotal() {
        Optional<StoredCheckpoint> last = store.lastDurable();
        if (last.isEmpty()) {
            return TOTAL;
        }
        StoredState state = store.state(last.get().id());
        long sum = 0;
        int found = 0;
        for (StoredState.StoredObject o : state.objects()) {
            if (o.id().startsWith("acct-")) {
                sum += decode(o.value());
                found++;
            }
        }
        return found == 0 ? TOTAL : sum; // the first barrier may have written the group before its accounts
    }

    private static long decode(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    /**
     * Half the standard share of interleavings: every barrier runs a whole flush (walk of the undo lists, reads of
     * every dirty box at the cut, the store's writes) under the model checker, which makes an invocation several
     * times dearer than a transfer test's; the custom scenarios keep the races this test exists for in every run.
     */
    @Override
    protected io.aurora4j.modelchecks.LincheckBudget budget() {
        return io.aurora4j.modelchecks.LincheckBudget.standard().withWeight(io.aurora4j.modelchecks.LincheckBudget.STANDARD_WEIGHT / 2);
    }

    /**
     * The store (its own tests and model are in store/) runs as one atomic step per call: what is checked here is
     * what the group hands it, not its locking. That keeps the interleavings on the group's side, where the flusher
     * races with commits, checkpoints and the release of epochs.
     */
    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses(
                (kotlin.jvm.functions.Function1<String, Boolean>) name -> name.startsWith("io.aurora4j.store."))
                .allMethods().treatAsAtomic());
    }

    /**
     * A barrier cutting through transfers, with a reader of the store; and the race the flusher's wait for
     * quiescence exists for (after a first barrier, so that the accounts are on disk and the next flush is
     * incremental rather than writing them whole as new objects): account 1 is already dirty in the epoch when a
     * second transfer (1 to 2) reads that
     * epoch and is about to push its pre-images as the barrier's flush reads the undo list — without the wait the
     * flush writes the new balance of account 1 and misses account 2, and the store no longer adds up.
     */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                after(thread(call("barrier")), // the accounts on disk: later flushes are incremental
                        thread(call("transfer", 0, 1, 1), call("transfer", 1, 2, 2)),
                        thread(call("barrier"), call("storedTotal")),
                        thread(call("storedTotal"))).then(call("storedTotal")),
                parallel(
                        thread(call("transfer", 0, 1, 1), call("transfer", 1, 2, 2)),
                        thread(call("barrier"), call("storedTotal")),
                        thread(call("transfer", 2, 0, 3), call("barrier"))).then(call("storedTotal")),
                parallel(
                        thread(call("checkpoint"), call("transfer", 0, 2, 1)),
                        thread(call("transfer", 1, 0, 2), call("barrier")),
                        thread(call("barrier"), call("storedTotal"))).then(call("barrier"), call("storedTotal")));
    }

    /** The sequential specification: in any serial order, the stored total never changes. */
    public static final class Spec {
        public void transfer(int from, int to, int amount) {
        }

        public void checkpoint() {
        }

        public void barrier() {
        }

        public long storedTotal() {
            return TOTAL;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
