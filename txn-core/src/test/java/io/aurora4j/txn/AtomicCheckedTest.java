package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Group#atomicChecked}: a body throwing a checked exception aborts like any body, the exception unchanged. */
class AtomicCheckedTest {

    @Test
    void aCheckedExceptionAbortsTheTransactionAndIsRethrownUnchanged() {
        try (Group g = Group.inMemory("checked")) {
            TLong x = g.newLong("x", 0);
            List<String> hooks = new ArrayList<>();
            IOException thrown = new IOException("disk said no");
            IOException caught = assertThrows(IOException.class, () -> g.atomicChecked(() -> {
                x.set(1);
                g.afterRollback(() -> hooks.add("rolled back"));
                g.afterCommit(() -> hooks.add("committed"));
                throw thrown;
            }));
            assertSame(thrown, caught);
            assertEquals(0L, x.get());
            assertEquals(List.of("rolled back"), hooks);
        }
    }

    @Test
    void aBodyThatDoesNotThrowCommitsAndReturnsItsResult() throws IOException {
        try (Group g = Group.inMemory("checked-ok")) {
            TLong x = g.newLong("x", 0);
            long r = g.atomicChecked(() -> {
                x.set(5);
                return x.get() * 2;
            });
            assertEquals(10L, r);
            assertEquals(5L, x.get());
        }
    }

    @Test
    void nestedACheckedFailureUndoesOnlyTheNestedWritesAndTheOuterMayCatchIt() throws Exception {
        try (Group g = Group.inMemory("checked-nested")) {
            TLong a = g.newLong("a", 0);
            TLong b = g.newLong("b", 0);
            String r = g.atomicChecked(() -> {
                a.set(1);
                try {
                    g.atomicChecked(() -> {
                        b.set(1);
                        throw new IOException("inner");
                    });
                } catch (IOException e) {
                    return e.getMessage();
                }
                return "not reached";
            });
            assertEquals("inner", r);
            assertEquals(1L, a.get());
            assertEquals(0L, b.get());
        }
    }

    @Test
    void uncheckedExceptionsAndErrorsPassThroughUnchangedToo() {
        try (Group g = Group.inMemory("checked-unchecked")) {
            IllegalArgumentException iae = new IllegalArgumentException("bad");
            assertSame(iae, assertThrows(IllegalArgumentException.class, () -> g.atomicChecked(() -> {
                throw iae;
            })));
            AssertionError err = new AssertionError("boom");
            assertSame(err, assertThrows(AssertionError.class, () -> g.atomicChecked(() -> {
                throw err;
            })));
        }
    }
}
