package io.aurora4j.examples.surface;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Framer;
import io.aurora4j.boundary.RetryPolicy;
import io.aurora4j.boundary.Sink;
import io.aurora4j.notify.CheckpointInfo;
import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackNotifier;
import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.RollbackCause;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The code of the top README's "A taste" and of every {@code {@snippet :}} in the javadoc of the published
 * modules, compiled and run here (Caffeine's {@code Snippets} habit). Each sample sits between
 * {@code // @start region="name"} and {@code // @end region="name"}; {@link SnippetsMatchTest} checks that the
 * README block or javadoc snippet is that region's text character for character, after removing the common
 * indentation and the lines marked {@code // @hide} (the assertions, which readers do not need). Change a sample
 * here and in its document together.
 */
class SnippetsTest {

    @Test
    void readmeTaste() throws Exception {
        // @start region="readme-taste"
        try (Group bank = Group.inMemory("bank")) {
            TLong alice = bank.newLong("alice", 100);
            TLong bob   = bank.newLong("bob", 0);
            TMap<String, String> notes = bank.newMap("notes");

            bank.atomic(() -> {                 // serializable, opaque, retried on conflict; an exception undoes it
                alice.add(-10);
                bob.add(10);
                notes.put("last", "alice -> bob: 10");
            });

            Checkpoint before = bank.checkpoint("before-batch");        // O(1)
            bank.onRollback(event -> System.err.println("rolled back: " + event.cause()));
            bank.atomic(() -> alice.add(-50));                          // a batch that turns out to be wrong
            bank.rollback(before);                                      // O(what changed since), listeners told
            long then = before.view().get(alice);                       // read the past without rolling back
            assertEquals(90, then); // @hide
            assertEquals(90, alice.get()); // @hide
            assertEquals(10, bob.get()); // @hide
            assertEquals("alice -> bob: 10", notes.get("last")); // @hide
        }
        // @end region="readme-taste"
    }

    @Test
    void boundaryLedger() throws Exception {
        try (Group bank = Group.inMemory("bank")) {
            TLong alice = bank.newLong("alice", 100);
            TLong bob = bank.newLong("bob", 0);
            String printed = capturingStdout(() -> {
                // @start region="boundary-ledger"
                Boundary<String> ledger = Boundary.external(bank, "ledger", System.out::println);
                bank.atomic(() -> {
                    alice.add(-10);
                    bob.add(10);
                    ledger.send("alice -> bob: 10");   // printed after the transaction commits; never if it rolls back
                });
                // @end region="boundary-ledger"
                ledger.flush().get(5, TimeUnit.SECONDS);
            });
            assertEquals("alice -> bob: 10" + System.lineSeparator(), printed);
        }
    }

    @Test
    void boundaryBuilder() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Group group = Group.inMemory("shop")) {
            // @start region="boundary-builder"
            Boundary<String> audit = Boundary.<String>builder(group, "audit")
                    .sink(Sink.stream(out, Framer.lines()))
                    .maxHeld(10_000, Boundary.WhenFull.FAIL)
                    .retry(RetryPolicy.attempts(3, Duration.ofMillis(50)))
                    .open();
            // @end region="boundary-builder"
            group.atomic(() -> audit.send("order 1 paid"));
            audit.flush().get(5, TimeUnit.SECONDS);
        }
        assertEquals("order 1 paid\n", out.toString(StandardCharsets.UTF_8));
    }

    /** A checkpoint as txn-core's {@code Checkpoint} provides it. */
    record MyCheckpoint(long id, Optional<String> label, String groupName) implements CheckpointInfo {
    }

    @Test
    void rollbackNotifier() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CheckpointInfo checkpoint = new MyCheckpoint(1, Optional.of("before-batch"), "bank");
        Throwable cause = new IllegalStateException("transfer failed");
        long restoreNanos = 1_500_000;
        // @start region="rollback-notifier"
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Registration reg = notifier.register(event ->
                    seen.add("rolled back to " + event.checkpoint().id() + ": " + event.cause().getMessage()));

            // The group, under its own lock, after restoring state:
            notifier.publish(RollbackEvent.builder("bank", 1, checkpoint, cause)
                    .duration(Duration.ofNanos(restoreNanos))
                    .restoredObjects(12)
                    .build());                               // returns at once

            notifier.delivered().get(5, TimeUnit.SECONDS);   // optional: wait for the listeners
            reg.close();                                     // no more events for this listener
        }
        // @end region="rollback-notifier"
        assertEquals(List.of("rolled back to 1: transfer failed"), seen);
    }

    @Test
    void rollbackEvent() {
        CheckpointInfo checkpoint = new MyCheckpoint(2, Optional.empty(), "bank");
        Throwable cause = new IllegalStateException("prediction failed");
        long restoreNanos = 2_000;
        // @start region="rollback-event"
        RollbackEvent event = RollbackEvent.builder("bank", 3, checkpoint, cause)
                .duration(Duration.ofNanos(restoreNanos))
                .restoredObjects(12)
                .discardedCheckpoints(1)
                .build();
        // @end region="rollback-event"
        assertEquals(3, event.sequence());
        assertEquals(Duration.ofNanos(2_000), event.duration());
        assertEquals(12, event.restoredObjects());
        assertEquals(1, event.discardedCheckpoints());
        assertEquals(cause, event.cause());
    }

    private final List<String> replayed = new CopyOnWriteArrayList<>();

    /** What a restore listener would do with the records appended after the recovered checkpoint. */
    private void replay(DurableLog log, long checkpointId) {
        replayed.add(log.name() + " after #" + checkpointId);
    }

    @Test
    void groupRollbackOnRestore(@TempDir Path dir) throws Exception {
        long durable;
        try (Group first = Group.builder("bank").store(Store.directory(dir)).open()) {
            first.newLong("alice", 100);
            durable = first.barrier().get(5, TimeUnit.SECONDS).id();
        }
        Store store = Store.directory(dir);
        // @start region="group-rollback-restore"
        Group bank = Group.builder("bank").store(store)
                .onGroupRestore(r -> {
                    if (r.cause() instanceof RollbackCause.RestoredFromStore) {
                        replay(r.group().log("payments"), r.checkpoint().id()); // no cast, and the group at hand
                    }
                })
                .open();
        // @end region="group-rollback-restore"
        try (bank) {
            bank.notificationsDelivered().get(5, TimeUnit.SECONDS);
            assertEquals(List.of("payments after #" + durable), replayed);
        }
    }

    @Test
    void rollbackCauseSwitch() throws Exception {
        try (Group bank = Group.inMemory("bank")) {
            List<String> seen = new CopyOnWriteArrayList<>();
            bank.onGroupRollback(rollback -> {
                // @start region="rollback-cause-switch"
                String why = switch (rollback.cause()) {
                    case RollbackCause.Requested r -> "asked for by " + r.threadName();
                    case RollbackCause.Failure f -> "failed: " + f.failure();
                    case RollbackCause.SpeculationFailed s -> "speculation #" + s.speculation().id() + " failed: " + s.failure();
                    case RollbackCause.RestoredFromStore s -> "recovered from " + s.store() + " at #" + s.checkpointId();
                };
                // @end region="rollback-cause-switch"
                seen.add(why);
            });
            bank.rollback(bank.checkpoint(), new IllegalStateException("batch"));
            bank.notificationsDelivered().get(5, TimeUnit.SECONDS);
            assertEquals(List.of("failed: java.lang.IllegalStateException: batch"), seen);
        }
    }

    @Test
    void codecs() {
        // @start region="codecs"
        record Point(int x, int y) {}
        Codecs codecs = Codecs.builder().allowRecord(Point.class).build();
        byte[] bytes = codecs.encode(List.of(new Point(1, 2), "text", 42L));
        Object back = codecs.decode(bytes); // [Point[x=1, y=2], text, 42]
        // @end region="codecs"
        assertEquals("[Point[x=1, y=2], text, 42]", back.toString());
    }

    @Test
    void images() throws Exception {
        byte kind = 1;
        byte[] valueBytes = {0, 0, 0, 0, 0, 0, 0, 42};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Store store = Store.memory()) {
            // @start region="images"
            try (CheckpointWriter image = Images.writer(out, 7, -1, "nightly")) {
                image.putObject("owner", kind, valueBytes);
                image.commit();                                      // writes the trailer and flushes
            }
            InputStream in = new ByteArrayInputStream(out.toByteArray()); // @hide
            StoredCheckpoint cp = Images.receive(in, store, ImageLimits.defaults());
            // @end region="images"
            assertEquals(7, cp.id());
            assertEquals(Optional.of("nightly"), cp.labelIfAny());
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    /** What {@code body} prints on {@code System.out} (tests of this class run one at a time). */
    private static String capturingStdout(Body body) throws Exception {
        java.io.PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
