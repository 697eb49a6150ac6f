package io.aurora4j.txn;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sls send/recv: a checkpoint image rebuilt as a group elsewhere (migration), full and incremental. */
@Timeout(60)
class SendReceiveTest {

    private static byte[] send(Group g, Checkpoint cp, Checkpoint base) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (base == null) {
            g.send(cp, out);
        } else {
            g.send(cp, base, out);
        }
        return out.toByteArray();
    }

    @Test
    void aFullImageRebuildsTheGroupAsOfTheCheckpointNotLater() {
        try (Group g = Group.inMemory("origin")) {
            TLong x = g.newLong("x", 1);
            TMap<String, Integer> m = g.newMap("m");
            Region r = g.newRegion("r", 1 << 16);
            g.newRef("blob", new byte[] {4, 5});
            m.put("a", 1);
            r.putLong(4096 * 3, 33);
            Checkpoint cp = g.checkpoint("ship");
            x.set(2); // after the checkpoint: not in the image
            m.put("b", 2);
            r.putLong(4096 * 3, 44);
            g.newLong("late", 9);
            byte[] image = send(g, cp, null);
            try (Group copy = Group.receive(new ByteArrayInputStream(image))) {
                assertEquals("origin", copy.name());
                assertEquals(1, copy.longRef("x").get());
                assertEquals(Map.of("a", 1), copy.<String, Integer>map("m").snapshot());
                assertEquals(33, copy.region("r").getLong(4096 * 3));
                assertArrayEquals(new byte[] {4, 5}, (byte[]) copy.ref("blob").get());
                assertThrows(java.util.NoSuchElementException.class, () -> copy.longRef("late"));
                assertEquals(cp.id(), copy.history().get(0).id());
            }
        }
    }

    @Test
    void incrementsApplyOverTheCheckpointTheReceiverHas() {
        try (Group g = Group.inMemory("origin")) {
            TLong x = g.newLong("x", 1);
            TMap<String, Integer> m = g.newMap("m");
            Region r = g.newRegion("r", 1 << 16);
            m.put("gone", 0);
            Checkpoint first = g.checkpoint();
            x.set(5);
            m.put("new", 7);
            m.remove("gone");
            r.putLong(8, 88);
            g.newRef("born", "later");
            Checkpoint second = g.checkpoint();
            byte[] full = send(g, first, null);
            byte[] increment = send(g, second, first);
            assertTrue(increment.length < full.length + 4096, "an increment carries only what changed");
            Store target = Store.memory();
            try (Group copy = Group.receive(new ByteArrayInputStream(full), target)) {
                assertEquals(1, copy.longRef("x").get());
            }
            Store again = Store.memory();
            io.aurora4j.store.Images.receive(new ByteArrayInputStream(full), again, io.aurora4j.store.ImageLimits.defaults());
            try (Group copy = Group.receive(new ByteArrayInputStream(increment), again)) {
                assertEquals(5, copy.longRef("x").get());
                assertEquals(Map.of("new", 7), copy.<String, Integer>map("m").snapshot());
                assertEquals(88, copy.region("r").getLong(8));
                assertEquals("later", copy.ref("born").get());
            }
            // an increment over a checkpoint the receiver does not have is refused before anything is written
            assertThrows(IllegalArgumentException.class, () -> Group.receive(new ByteArrayInputStream(increment)));
        }
    }

    @Test
    void aDamagedImageIsAClearErrorAndCreatesNothing() {
        try (Group g = Group.inMemory("origin")) {
            g.newLong("x", 1);
            g.newMap("m").put("k", "v");
            byte[] image = send(g, g.checkpoint(), null);
            for (int cut : new int[] {0, 5, image.length / 2, image.length - 1}) {
                byte[] truncated = java.util.Arrays.copyOf(image, cut);
                assertThrows(StoreCorruptedException.class, () -> Group.receive(new ByteArrayInputStream(truncated)), "cut at " + cut);
            }
            byte[] flipped = image.clone();
            flipped[image.length / 2] ^= 0x10;
            Store target = Store.memory();
            assertThrows(StoreCorruptedException.class, () -> Group.receive(new ByteArrayInputStream(flipped), target));
            assertTrue(target.lastDurable().isEmpty(), "nothing partial was committed");
        }
    }

    @Test
    void ephemeralObjectsStayHomeAndMisuseFailsClearly() {
        try (Group g = Group.inMemory("origin"); Group other = Group.inMemory("other")) {
            g.newLong("kept", 1);
            g.newLong("cache", 2);
            g.setPersistence("cache", Persistence.EPHEMERAL);
            assertEquals(Persistence.EPHEMERAL, g.persistence("cache"));
            assertThrows(IllegalArgumentException.class, () -> g.setPersistence("kept", Persistence.EXCLUDED));
            Checkpoint cp = g.checkpoint();
            try (Group copy = Group.receive(new ByteArrayInputStream(send(g, cp, null)))) {
                assertEquals(1, copy.longRef("kept").get());
                assertThrows(java.util.NoSuchElementException.class, () -> copy.longRef("cache"));
            }
            Checkpoint foreign = other.checkpoint();
            assertThrows(IllegalArgumentException.class, () -> g.send(foreign, new ByteArrayOutputStream()));
            Checkpoint later = g.checkpoint();
            assertThrows(IllegalArgumentException.class, () -> g.send(cp, later, new ByteArrayOutputStream()));
        }
    }

    @Test
    void ephemeralObjectsAreNotWrittenToTheStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (Group g = Group.builder("eph").store(Store.directory(dir)).checkpointEvery(java.time.Duration.ZERO).open()) {
            g.newLong("kept", 1);
            g.newLong("cache", 2);
            g.setPersistence("cache", Persistence.EPHEMERAL);
            g.barrier().join();
            g.longRef("cache").set(3);
            g.longRef("kept").set(4);
            g.barrier().join();
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(4, g.longRef("kept").get());
            assertThrows(java.util.NoSuchElementException.class, () -> g.longRef("cache"));
        }
    }
}
