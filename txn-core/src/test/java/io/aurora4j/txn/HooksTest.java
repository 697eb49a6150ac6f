package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code afterCommit} and {@code afterRollback}: once, after the outcome, outside the transaction, errors contained. */
class HooksTest {

    static final class Boom extends RuntimeException {
        Boom(String message) {
            super(message);
        }
    }

    @Test
    void afterCommitRunsOnceAfterTheCommitOutsideTheTransaction() {
        try (Group g = Group.inMemory("hooks")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            List<String> seen = new ArrayList<>();
            g.atomic(() -> {
                x.set(1);
                g.afterCommit(() -> {
                    seen.add("in transaction: " + g.inTransaction() + ", x = " + x.get());
                    g.atomic(() -> y.set(x.get() + 1)); // a new, top-level transaction
                });
                assertTrue(seen.isEmpty(), "afterCommit ran before the commit");
            });
            assertEquals(List.of("in transaction: false, x = 1"), seen);
            assertEquals(2, y.get());
        }
    }

    @Test
    void afterCommitRunsOnceEvenWhenTheBodyRanTwice() throws Exception {
        try (Group g = Group.inMemory("hooks")) {
            TLong x = g.newLong("x", 0);
            TLong y = g.newLong("y", 0);
            AtomicInteger runs = new AtomicInteger();
            AtomicInteger commits = new AtomicInteger();
            AtomicInteger rollbacks = new AtomicInteger();
            g.atomic(() -> {
                g.afterCommit(commits::incrementAndGet);
                g.afterRollback(rollbacks::incrementAndGet);
                long v = x.get();
                if (runs.incrementAndGet() == 1) {
                    Concurrently.onOtherThread(() -> x.add(1));
                }
                y.set(v);
            });
            assertEquals(2, runs.get());
            assertEquals(1, commits.get(), "the hook of the attempt that committed, only");
            assertEquals(1, rollbacks.get(), "the conflicting attempt's afterRollback");
        }
    }

    @Test
    void afterRollbackRunsWhenTheBodyThrowsAndAfterCommitDoesNot() {
        try (Group g = Group.inMemory("hooks")) {
            TLong x = g.newLong("x", 0);
            List<String> seen = new ArrayList<>();
            Boom boom = new Boom("body");
            Boom thrown = assertThrows(Boom.class, () -> g.atomic(() -> {
                g.afterCommit(() -> seen.add("commit"));
                g.afterRollback(() -> seen.add("rollback: in transaction " + g.inTransaction() + ", x = " + x.get()));
                x.set(1);
                throw boom;
            }));
            assertSame(boom, thrown);
            assertEquals(List.of("rollback: in transaction false, x = 0"), seen);

            seen.clear();
            g.atomic(() -> {
                g.afterRollback(() -> seen.add("rollback"));
                g.afterCommit(() -> seen.add("commit"));
            });
            assertEquals(List.of("commit"), seen, "afterRollback of a committed transaction is dropped");
        }
    }

    @Test
    void hooksRunInRegistrationOrder() {
        try (Group g = Group.inMemory("hooks")) {
            List<Integer> order = new ArrayList<>();
            g.atomic(() -> {
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    g.afterCommit(() -> order.add(n));
                }
            });
            assertEquals(List.of(0, 1, 2, 3, 4), order);
        }
    }

    @Test
    void aThrowingHookIsReportedAndLaterHooksStillRun() {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        try (Group g = Group.builder("hooks").hookErrorHandler(reported::add).open()) {
            TLong x = g.newLong("x", 0);
            List<String> ran = new ArrayList<>();
            Boom first = new Boom("first");
            Boom third = new Boom("third");
            g.atomic(() -> {
                x.set(1);
                g.afterCommit(() -> {
                    throw first;
                });
                g.afterCommit(() -> ran.add("second"));
                g.afterCommit(() -> {
                    throw third;
                });
                g.afterCommit(() -> ran.add("fourth"));
            });
            assertEquals(1, x.get(), "a hook's failure does not undo the commit");
            assertEquals(List.of("second", "fourth"), ran);
            assertEquals(List.of(first, third), reported);

            reported.clear();
            ran.clear();
            Boom body = new Boom("body");
            Boom rollbackHook = new Boom("afterRollback");
            Boom thrown = assertThrows(Boom.class, () -> g.atomic(() -> {
                g.afterRollback(() -> {
                    throw rollbackHook;
                });
                g.afterRollback(() -> ran.add("after"));
                throw body;
            }));
            assertSame(body, thrown, "the body's exception propagates, not the hook's");
            assertEquals(List.of("after"), ran);
            assertEquals(List.of(rollbackHook), reported);
        }
    }

    @Test
    void aHookErrorHandlerThatThrowsDoesNotBreakTheGroup() {
        try (Group g = Group.builder("hooks").hookErrorHandler(e -> {
            throw new IllegalStateException("handler broken");
        }).open()) {
            TLong x = g.newLong("x", 0);
            List<String> ran = new ArrayList<>();
            g.atomic(() -> {
                x.set(1);
                g.afterCommit(() -> {
                    throw new Boom("hook");
                });
                g.afterCommit(() -> ran.add("later"));
            });
            assertEquals(List.of("later"), ran);
            assertEquals(1, x.get());
            assertFalse(g.inTransaction());
            g.atomic(() -> x.add(1));
            assertEquals(2, x.get());
        }
    }

    @Test
    void hooksNeedARunningTransactionOfTheGroup() {
        try (Group g = Group.inMemory("hooks"); Group other = Group.inMemory("other")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.afterCommit(() -> { }));
            assertTrue(e.getMessage().contains("'hooks'"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> g.afterRollback(() -> { }));
            other.newLong("o", 0);
            assertThrows(IllegalStateException.class, () -> other.atomic(() -> g.afterCommit(() -> { })));
            assertThrows(NullPointerException.class, () -> g.atomic(() -> g.afterCommit(null)));
        }
    }
}
