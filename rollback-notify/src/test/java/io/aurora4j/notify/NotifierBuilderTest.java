package io.aurora4j.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Builders fail fast, with messages naming the notifier and the conflict. */
class NotifierBuilderTest {

    @Test
    void nameIsRequiredAndNotBlank() {
        assertEquals("name", assertThrows(NullPointerException.class, () -> RollbackNotifier.create(null)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> RollbackNotifier.builder(null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> RollbackNotifier.create(" "));
    }

    @Test
    void settingsAreNotNullAndSetOnce() {
        RollbackNotifier.Builder b = RollbackNotifier.builder("bank");
        assertEquals("executor", assertThrows(NullPointerException.class, () -> b.executor(null)).getMessage());
        assertEquals("handler", assertThrows(NullPointerException.class, () -> b.errorHandler(null)).getMessage());
        Executor direct = Runnable::run;
        b.executor(direct);
        String twice = assertThrows(IllegalStateException.class, () -> b.executor(Runnable::run)).getMessage();
        assertTrue(twice.contains("'bank'") && twice.contains("executor was already set to " + direct), twice);
        b.errorHandler((l, e, t) -> { });
        String again = assertThrows(IllegalStateException.class, () -> b.errorHandler((l, e, t) -> { })).getMessage();
        assertTrue(again.contains("error handler was already set"), again);
    }

    @Test
    void aNewNotifierIsOpenAndEmpty() {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            assertEquals("bank", notifier.name());
            assertEquals(0, notifier.listenerCount());
            assertFalse(notifier.isClosed());
            assertEquals("RollbackNotifier[bank, open, 0 listeners]", notifier.toString());
        }
    }
}
