package io.aurora4j.boundary;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md invariant 5 for in-memory groups: an output is delivered iff its transaction commits, in order, at
 * most once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExternalConsistencyTest {

    private static Boundary<String> manual(Group g, String id, Recorder<String> sink, ManualExecutor ex) {
        return Boundary.<String>builder(g, id).sink(Sink.of(sink)).releaseExecutor(ex).open();
    }

    @Test
    void anOutputLeavesOnlyAfterItsTransactionCommits() {
        try (Group g = Group.inMemory("commit")) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            g.atomic(() -> {
                x.add(1);
                b.send("a");
                b.send("b");
                assertEquals(0, ex.queued(), "nothing is scheduled before the commit");
            });
            assertEquals(List.of(), sink.got);
            ex.runAll();
            assertEquals(List.of("a", "b"), sink.got);
            assertEquals(new Boundary.Stats(0, 2, 0, 0, 0), b.stats());
        }
    }

    @Test
    void aTransactionThatThrowsSendsNothingAndGivesBackItsRoom() {
        try (Group g = Group.inMemory("abort")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                b.send("never");
                assertEquals(1, b.stats().pending());
                throw new IllegalStateException("body fails");
            }));
            ex.runAll();
            assertEquals(List.of(), sink.got);
            assertEquals(0, b.stats().pending());
        }
    }

    @Test
    void aNestedTransactionThatThrowsDropsOnlyItsOwnOutputs() {
        try (Group g = Group.inMemory("nested")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            g.atomic(() -> {
                b.send("outer-1");
                try {
                    g.atomic(() -> {
                        b.send("inner");
                        throw new IllegalArgumentException("inner fails");
                    });
                } catch (IllegalArgumentException expected) {
                    // the outer goes on
                }
                b.send("outer-2");
            });
            ex.runAll();
            assertEquals(List.of("outer-1", "outer-2"), sink.got);
            assertEquals(0, b.stats().pending());
        }
    }

    @Test
    void anOuterTransactionThatThrowsDropsWhatItsCommittedNestedTransactionsSent() {
        try (Group g = Group.inMemory("outer")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                g.atomic(() -> b.send("nested, committed into the outer"));
                throw new IllegalStateException("outer fails");
            }));
            ex.runAll();
            assertEquals(List.of(), sink.got);
            assertEquals(0, b.stats().pending(), "the room taken by the nested send is given back");
        }
    }

    @Test
    void aConflictingAttemptIsReRunAndOnlyTheCommittedAttemptSends() throws Exception {
        try (Group g = Group.inMemory("retry")) {
            TLong x = g.newLong("x", 0);
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            AtomicInteger attempts = new AtomicInteger();
            g.atomic(() -> {
                int attempt = attempts.incrementAndGet();
                long seen = x.get();
                b.send("attempt-" + attempt);
                if (attempt == 1) {
                    Thread other = Thread.ofPlatform().start(() -> x.add(100)); // conflicts with this attempt
                    try {
                        other.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                x.set(seen + 1);
            });
            ex.runAll();
            assertEquals(2, attempts.get());
            assertEquals(List.of("attempt-2"), sink.got);
            assertEquals(0, b.stats().pending());
        }
    }

    @Test
    void aReadOnlyTransactionSendsOnCommit() {
        try (Group g = Group.inMemory("read-only")) {
            TLong x = g.newLong("x", 7);
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = manual(g, "out", sink, ex);
            g.atomic(() -> b.send("x=" + x.get()));
            ex.runAll();
            assertEquals(List.of("x=7"), sink.got);
        }
    }

    @Test
    void aSendOutsideATransactionIsReleasedAtOnceInAnInMemoryGroup() throws Exception {
        try (Group g = Group.inMemory("outside")) {
            Recorder<String> sink = new Recorder<>();
            Boundary<String> b = Boundary.external(g, "out", sink);
            b.send("now");
            b.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("now"), sink.got);
        }
    }

    @Test
    void conflictingTransactionsDeliverInSerializationOrder() throws Exception {
        try (Group g = Group.inMemory("order")) {
            TLong counter = g.newLong("counter", 0);
            Recorder<Long> sink = new Recorder<>();
            Boundary<Long> b = Boundary.external(g, "out", sink);
            int perThread = 2_000;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        g.atomic(() -> b.send(counter.add(1)));
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            b.flush().get(30, TimeUnit.SECONDS);
            List<Long> got = sink.got;
            assertEquals(3 * perThread, got.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i + 1, got.get(i), "every transaction increments the same counter: commit order is counter order");
            }
        }
    }

    @Test
    void sendsOutsideTransactionsKeepPerThreadOrderAndAreDeliveredOnce() throws Exception {
        try (Group g = Group.inMemory("fifo")) {
            Recorder<long[]> sink = new Recorder<>();
            Boundary<long[]> b = Boundary.external(g, "out", sink);
            int perThread = 5_000;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                long thread = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        b.send(new long[] {thread, i});
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            b.flush().get(30, TimeUnit.SECONDS);
            long[] next = new long[3];
            Set<Long> seen = new HashSet<>();
            for (long[] o : sink.got) {
                assertEquals(next[(int) o[0]]++, o[1], "per-thread order");
                assertTrue(seen.add(o[0] * perThread + o[1]), "delivered once");
            }
            assertEquals(3 * perThread, sink.got.size());
            assertEquals(new Boundary.Stats(0, 3L * perThread, 0, 0, 0), b.stats());
        }
    }
}
