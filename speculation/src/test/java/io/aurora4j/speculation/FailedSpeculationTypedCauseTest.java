package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.GroupRollback;
import io.aurora4j.txn.RollbackCause;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #11 (typed seams): the rollback a failed speculation asks for reaches a typed group listener as a
 * {@link RollbackCause.SpeculationFailed} naming that speculation and carrying the very cause it was failed with,
 * with the group and the speculation's checkpoint, without a cast.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailedSpeculationTypedCauseTest {

    @Test
    void aFailedSpeculationIsTheTypedCauseOfItsRollback() throws Exception {
        try (Group g = Group.inMemory("spec-typed")) {
            TLong x = g.newLong("x", 1);
            List<GroupRollback> seen = new CopyOnWriteArrayList<>();
            g.onGroupRollback(seen::add);
            Speculation s = Speculation.begin(g);
            s.atomic(() -> x.set(2));
            IllegalStateException boom = new IllegalStateException("prediction wrong");
            assertTrue(s.fail(boom));
            g.notificationsDelivered().get(10, TimeUnit.SECONDS);
            assertEquals(1, seen.size());
            GroupRollback r = seen.get(0);
            RollbackCause.SpeculationFailed why = assertInstanceOf(RollbackCause.SpeculationFailed.class, r.cause());
            assertSame(s, why.speculation());
            assertSame(boom, why.failure());
            assertSame(g, r.group());
            assertSame(s.checkpoint(), r.checkpoint());
            assertSame(s, r.event().speculation().orElseThrow());
            assertEquals(1, r.group().longRef("x").get());

            g.rollback(g.checkpoint(), boom); // the same Throwable, no speculation: a plain failure
            g.notificationsDelivered().get(10, TimeUnit.SECONDS);
            assertSame(boom, assertInstanceOf(RollbackCause.Failure.class, seen.get(1).cause()).failure());
        }
    }
}
