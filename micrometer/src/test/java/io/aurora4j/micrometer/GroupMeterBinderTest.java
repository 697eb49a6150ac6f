package io.aurora4j.micrometer;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupMeterBinderTest {
    @Test
    void theGroupsFiguresAreReadThroughTheRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Group g = Group.builder("orders").jmx(false).open()) {
            new GroupMeterBinder(g, Tag.of("service", "shop")).bindTo(registry);
            TLong x = g.newLong("x", 0);
            for (int i = 0; i < 3; i++) {
                g.atomic(() -> x.set(x.get() + 1));
            }
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                throw new IllegalStateException("boom");
            }));
            var cp = g.checkpoint();
            g.rollback(cp);

            assertEquals(3.0, registry.get("aurora4j.transactions").tags("group", "orders", "outcome", "commit", "service", "shop")
                    .functionCounter().count());
            assertEquals(1.0, registry.get("aurora4j.transactions").tag("outcome", "exception").functionCounter().count());
            assertEquals(0.0, registry.get("aurora4j.transactions").tag("outcome", "conflict").functionCounter().count());
            FunctionTimer checkpoints = registry.get("aurora4j.checkpoints").tag("group", "orders").functionTimer();
            assertEquals(1.0, checkpoints.count());
            assertTrue(checkpoints.totalTime(TimeUnit.NANOSECONDS) > 0);
            assertEquals(1.0, registry.get("aurora4j.rollbacks").functionTimer().count());
            assertEquals(0.0, registry.get("aurora4j.flushes").functionTimer().count(), "an in-memory group never flushes");
            assertEquals(1.0, registry.get("aurora4j.objects").gauge().value());
            assertEquals(1.0, registry.get("aurora4j.checkpoints.retained").gauge().value());
            assertEquals(0.0, registry.get("aurora4j.durable.lag").gauge().value());
        }
    }
}
