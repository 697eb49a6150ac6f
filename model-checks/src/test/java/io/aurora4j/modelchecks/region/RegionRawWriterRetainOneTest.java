package io.aurora4j.modelchecks.region;

import io.aurora4j.txn.Group;
import java.util.List;

/**
 * A raw writer with one retained checkpoint: every checkpoint releases the epoch before it inline, so the page a
 * raw write copied away from is freed at the next checkpoint and its chunk is reused by the writer's next new
 * page — while a raw reader on another thread may still hold the old page. The reader must not return the
 * reused chunk's bytes (its seqlock has to notice the free).
 */
public class RegionRawWriterRetainOneTest extends RegionRawWriterLincheckTest {

    public RegionRawWriterRetainOneTest() {
        super(Group.builder("raw-retain-one").retainCheckpoints(1).maintenanceExecutor(Runnable::run).open());
    }

    /**
     * The reader finds the counter's page; the writer copies it away (increment), checkpoints (its epoch leaves
     * retention: the page is queued dead), and makes a new page of another offset (far), which reclaims the dead
     * page's chunk and fills it; then the reader reads the bytes.
     */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(after(thread(call("save"), call("increment"), call("save")),
                        thread(call("increment"), call("save"), call("far"), call("far")),
                        thread(call("get")))
                .then(call("get")));
    }
}
