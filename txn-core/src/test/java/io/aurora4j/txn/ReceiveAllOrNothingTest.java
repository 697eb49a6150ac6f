package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.aurora4j.txn.CraftedImages.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10 (item 4): {@code Group.receive(in, store)} is all or nothing. An image from which no group can be
 * built is refused before anything of it is committed, so the owner's store opens afterwards exactly as before
 * (or is as empty as before) — it used to commit the image first and then fail to build the group, leaving the
 * store unopenable for good.
 */
@Timeout(60)
class ReceiveAllOrNothingTest {

    private static final Map<String, Consumer<CheckpointWriter>> FAILURES = Map.of(
            "a value of the wrong size", w -> w.putObject("x", LONG, new byte[3]),
            "an undecodable value", w -> w.putObject("s", REF, new byte[] {(byte) 0xEE}),
            "an unknown kind", w -> w.putObject("x", (byte) 42, longValue(1)),
            "an oversized page", w -> {
                w.putObject("r", REGION, regionMeta(1 << 16, 4096));
                page(w, "r", 0, 8192, (byte) 1);
            },
            "no group object", w -> { });

    private static byte[] badImage(String failure, long id) {
        Consumer<CheckpointWriter> body = FAILURES.get(failure);
        return failure.equals("no group object")
                ? image(id, -1, w -> w.putObject("x", LONG, longValue(5)))
                : full(id, "origin", body);
    }

    @TestFactory
    Stream<DynamicTest> aFailedReceiveLeavesTheOwnersStoreOpeningAsBefore() {
        return FAILURES.keySet().stream().sorted().map(failure -> DynamicTest.dynamicTest(failure, () -> {
            Path dir = Files.createTempDirectory("receive-all-or-nothing");
            try {
                long newest;
                try (Group g = Group.builder("origin").store(Store.directory(dir)).checkpointEvery(Duration.ZERO).open()) {
                    g.newLong("x", 1);
                    g.newRegion("r", 1 << 16).putLong(8, 77);
                    g.barrier().join();
                    newest = g.history().get(g.history().size() - 1).id();
                }
                Store store = Store.directory(dir);
                assertThrows(StoreCorruptedException.class,
                        () -> Group.receive(new ByteArrayInputStream(badImage(failure, newest + 10)), store).close(), failure);
                store.close();
                try (Group again = Group.open(Store.directory(dir))) {
                    assertEquals(1, again.longRef("x").get(), failure);
                    assertEquals(77, again.region("r").getLong(8), failure);
                    assertEquals(newest, again.history().get(0).id(), failure + ": the store's newest checkpoint is still ours");
                }
            } finally {
                deleteTree(dir);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> aFailedReceiveLeavesAnEmptyStoreEmpty() {
        return FAILURES.keySet().stream().sorted().map(failure -> DynamicTest.dynamicTest(failure, () -> {
            Path dir = Files.createTempDirectory("receive-all-or-nothing");
            try {
                Store store = Store.directory(dir);
                assertThrows(StoreCorruptedException.class,
                        () -> Group.receive(new ByteArrayInputStream(badImage(failure, 3)), store).close(), failure);
                store.close();
                try (Store reopened = Store.directory(dir)) {
                    assertTrue(reopened.lastDurable().isEmpty(), failure + ": committed " + reopened.lastDurable());
                }
                // and a good image can still be received into it
                try (Group g = Group.receive(new ByteArrayInputStream(full(4, "fresh", w -> w.putObject("y", LONG, longValue(2)))),
                        Store.directory(dir))) {
                    assertEquals(2, g.longRef("y").get());
                }
            } finally {
                deleteTree(dir);
            }
        }));
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
