package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.DEADLINE;
import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * A listener receives exactly the events published after its registration: one registered during
 * or after the publish of event N, including from inside a listener handling N, never receives N.
 */
class RegisteredAtPublishTimeTest {

    static Stream<Arguments> executors() {
        return Stream.of(
                Arguments.of("virtual threads (default)", null),
                Arguments.of("direct: runs on the publishing thread", (Executor) Runnable::run));
    }

    private static RollbackNotifier notifier(Executor executor) {
        RollbackNotifier.Builder b = RollbackNotifier.builder("bank");
        return executor == null ? b.build() : b.executor(executor).build();
    }

    @Test
    void aListenerRegisteredAfterAPublishDoesNotGetThatEvent() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker early = new Fixtures.Blocker(1);
            notifier.register(early);
            notifier.publish(event(1));
            Fixtures.await(early.entered, "event 1 to be in delivery");
            Fixtures.Recorder late = new Fixtures.Recorder();
            notifier.register(late); // while event 1 is still being delivered
            notifier.publish(event(2));
            early.release.countDown();
            await(notifier.delivered());
            assertEquals(List.of(2L), late.sequences());
            assertEquals(range(1, 2), early.sequences());
        }
    }

    /** With a direct executor the inner register() runs inside publish(1) itself. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("executors")
    void aListenerRegisteredFromInsideOnRollbackGetsOnlyLaterEvents(String label, Executor executor) {
        assertTimeoutPreemptively(DEADLINE, () -> {
            try (RollbackNotifier notifier = notifier(executor)) {
                Fixtures.Recorder inner = new Fixtures.Recorder();
                AtomicReference<Registration> innerRegistration = new AtomicReference<>();
                Fixtures.Recorder outer = new Fixtures.Recorder() {
                    @Override
                    void work(RollbackEvent event) {
                        if (event.sequence() == 1) {
                            innerRegistration.set(notifier.register(inner));
                        }
                    }
                };
                notifier.register(outer);
                notifier.publish(event(1));
                await(notifier.delivered()); // the inner registration exists from here on
                notifier.publish(event(2));
                await(notifier.delivered());
                assertEquals(range(1, 2), outer.sequences());
                assertEquals(List.of(2L), inner.sequences(), "registered during delivery of 1, so not given 1");
                assertEquals(2, notifier.listenerCount());
            }
        });
    }

    /** Listeners that register, close and publish from inside onRollback must not deadlock. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("executors")
    void listenersMayRegisterCloseAndPublishFromInsideOnRollback(String label, Executor executor) {
        assertTimeoutPreemptively(DEADLINE, () -> {
            try (RollbackNotifier notifier = notifier(executor)) {
                Fixtures.Recorder watcher = new Fixtures.Recorder();
                notifier.register(watcher);
                AtomicReference<Registration> self = new AtomicReference<>();
                Fixtures.Recorder busy = new Fixtures.Recorder() {
                    @Override
                    void work(RollbackEvent event) {
                        if (event.sequence() == 1) {
                            notifier.register(e -> { }).close(); // register and close another
                            notifier.publish(event(2));          // publish a follow-up event
                            self.get().close();                  // and close itself
                        }
                    }
                };
                self.set(notifier.register(busy));
                notifier.publish(event(1));
                await(notifier.delivered());
                await(notifier.delivered()); // covers event 2 as well, whichever thread published it
                assertEquals(List.of(1L), busy.sequences(), "closed itself while handling 1");
                assertEquals(range(1, 2), watcher.sequences());
                assertEquals(1, notifier.listenerCount());
            }
        });
    }

    @Test
    void registeringNullIsRejected() {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            assertEquals("listener", assertThrows(NullPointerException.class, () -> notifier.register(null)).getMessage());
            assertEquals(0, notifier.listenerCount());
        }
    }
}
