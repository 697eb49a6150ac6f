package io.aurora4j.boundary;

import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** IMMEDIATE mode, Aurora's fdctl switched off: outputs pass through whatever becomes of the work. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImmediateModeTest {

    @Test
    void outputsPassThroughEvenWhenTheTransactionRollsBack() throws Exception {
        try (Group g = Group.inMemory("immediate")) {
            Recorder<String> sink = new Recorder<>();
            Boundary<String> b = Boundary.immediate(g, "console", sink);
            assertEquals(Boundary.Mode.IMMEDIATE, b.mode());
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                b.send("sent anyway");
                throw new IllegalStateException("rolled back");
            }));
            Checkpoint cp = g.checkpoint();
            b.send("after checkpoint");
            assertEquals(0, g.rollback(cp).discardedOutputs());
            b.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("sent anyway", "after checkpoint"), sink.got);
        }
    }

    @Test
    void externalIsTheDefaultMode() {
        try (Group g = Group.inMemory("default")) {
            assertEquals(Boundary.Mode.EXTERNAL, Boundary.<String>builder(g, "b").sink(Sink.of(s -> { })).open().mode());
            assertEquals(Boundary.Mode.EXTERNAL, Boundary.external(g, "c", s -> { }).mode());
        }
    }
}
