package io.aurora4j.modelchecks.region;

import io.aurora4j.txn.Group;
import java.util.List;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * A documented limit of raw mode, shown: checkpoints taken from <em>other</em> threads while the raw writer
 * writes. A raw write checks the page's epoch and then stores, with nothing in between that a checkpoint could
 * wait for; a checkpoint taken between the two contains the write, but only once the store lands, after
 * {@code checkpoint()} returned. A view read in that window sees the checkpoint without the write, a later one
 * with it, which no sequential order explains. The model checker must find it (the Region javadoc and the
 * txn-core README say so: checkpoint from the writer's thread, or use transactions, when a checkpoint must not
 * change once taken). Not a mutant of the code: of the set-up.
 */
public class RegionRawWriterConcurrentCheckpointTest extends RegionRawWriterLincheckTest {

    public RegionRawWriterConcurrentCheckpointTest() {
        super(Group.builder("raw-concurrent").retainCheckpoints(4).maintenanceExecutor(Runnable::run).open());
    }

    @Override
    @Operation
    public void save() {
        super.save();
    }

    @Override
    protected List<Scenario> customScenarios() {
        return List.of(after(thread(call("touch"), call("touch")),
                        thread(call("increment"), call("increment")),
                        thread(call("save"), call("savedValue")))
                .then(call("savedValue"), call("get")));
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
