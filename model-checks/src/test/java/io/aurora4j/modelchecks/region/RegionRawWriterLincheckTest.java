package io.aurora4j.modelchecks.region;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Raw mode (one writer outside any scope) with checkpoints, views and reads: a checkpoint holds every raw
 * write made before it and none made after it (ARCHITECTURE.md invariant 3, for regions' raw mode), and reads from
 * other threads see committed raw writes consistently. The writer's counter lives on one 64-byte page with a
 * second word, so after its first write in an epoch (which copies the page) its later writes go through the
 * <em>hot page</em> path, which skips the page table and relies on the epoch compare alone to notice a
 * checkpoint.
 *
 * <p>{@code increment}, {@code touch} and {@code save} are the writer's ({@code nonParallelGroup}: Lincheck runs
 * them on one thread at a time, as raw mode requires): the writer takes the checkpoints, as an application
 * that checkpoints between its own raw writes does. {@code savedValue} reads the counter through the last
 * checkpoint's view (a write that leaked into a checkpoint's frozen page after it was taken shows up there),
 * {@code get} reads it outside any scope; both run on any thread, concurrently with the writer.
 * {@link RegionRawWriterConcurrentCheckpointTest} takes the checkpoints from other threads instead, and shows
 * what that weaker set-up allows.
 */
public abstract class RegionRawWriterLincheckTest extends AbstractLincheckTest {

    static final long COUNTER = 8;
    static final long OTHER = 40; // same page: the writer alternates between two words of its hot page
    static final long FAR = 128 + COUNTER; // another page, the counter's offset within it

    protected final Group group;
    protected final Region region;
    private final ReentrantLock slotLock = new ReentrantLock();
    private Checkpoint slot; // guarded by slotLock

    protected RegionRawWriterLincheckTest(Group group) {
        this.group = group;
        this.region = group.regionBuilder("raw").capacity(256).pageSize(64).create();
    }

    /** The raw writer: adds one to the counter; returns the new value. */
    @Operation(nonParallelGroup = "writer")
    public long increment() {
        long v = region.getLong(COUNTER) + 1;
        region.putLong(COUNTER, v);
        return v;
    }

    /** The raw writer: writes the other word of the counter's page (makes the page hot without changing the counter). */
    @Operation(nonParallelGroup = "writer")
    public void touch() {
        region.putLong(OTHER, region.getLong(OTHER) + 1);
    }

    /** The raw writer: writes a value the counter never holds to another page, at the counter's offset in its page. */
    @Operation(nonParallelGroup = "writer")
    public void far() {
        region.putLong(FAR, 1_000_000 + region.getLong(FAR));
    }

    /** The counter, read outside any scope. */
    @Operation
    public long get() {
        return region.getLong(COUNTER);
    }

    /** Takes a checkpoint into the slot (on the writer's thread). */
    @Operation(nonParallelGroup = "writer")
    public void save() {
        slotLock.lock();
        try {
            slot = group.checkpoint();
        } finally {
            slotLock.unlock();
        }
    }

    /** The counter as of the slot's checkpoint; -1 if nothing was saved yet. */
    @Operation
    public long savedValue() {
        slotLock.lock();
        try {
            return slot == null ? -1 : slot.view().getLong(region, COUNTER);
        } finally {
            slotLock.unlock();
        }
    }

    /** The writer's page is hot when it checkpoints, then it writes on while others read the checkpoint. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(after(thread(call("touch"), call("touch")),
                        thread(call("save"), call("increment"), call("increment")),
                        thread(call("savedValue"), call("get")),
                        thread(call("get"), call("savedValue")))
                .then(call("savedValue"), call("get")));
    }

    /** The sequential specification: a counter and the value saved with the last checkpoint. */
    public static final class Spec {
        private long counter;
        private long saved = -1;

        public long increment() {
            return ++counter;
        }

        public void touch() {
        }

        public void far() {
        }

        public long get() {
            return counter;
        }

        public void save() {
            saved = counter;
        }

        public long savedValue() {
            return saved;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }

    /** Agrona's buffer code and a page's bytes are not what is checked: their accesses are single steps (as in RegionAccountsLincheckTest). */
    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses(
                name -> name.startsWith("org.agrona.") || name.equals("io.aurora4j.txn.Page")
                        || name.equals("java.nio.DirectByteBuffer") || name.startsWith("java.lang.ref.")).allMethods().treatAsAtomic());
    }
}
