package io.aurora4j.modelchecks.speculation;

import java.util.List;

/**
 * The chain of three, with the races it exists for named as custom scenarios besides the generated ones:
 * confirm racing fail on one speculation, a later one confirmed while an earlier one fails, and
 * confirmations arriving out of order while outputs are released.
 */
public class SpeculationChainTest extends SpeculationChainLincheckTest {

    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                parallel(thread(call("confirm", 1)), thread(call("fail", 1)), thread(call("release"), call("release"))),
                parallel(thread(call("confirm", 2), call("value")), thread(call("fail", 0)), thread(call("release"))),
                parallel(thread(call("confirm", 2), call("confirm", 0)), thread(call("confirm", 1)),
                        thread(call("release"), call("release"))));
    }
}
