package io.aurora4j.cli;

import io.aurora4j.cli.SlsRunner.Run;
import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import io.aurora4j.txn.TRef;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.aurora4j.cli.SlsRunner.sls;
import static io.aurora4j.cli.SlsTest.contents;
import static io.aurora4j.cli.SlsTest.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sls diff}, {@code send}, {@code recv}, {@code compact} and {@code bisect}, run in-process against a
 * directory a real durable group wrote over four checkpoints (a TLong, a TRef, a TMap, a Region, and an
 * object created at the third); images compared with those {@code Group.send} wrote while the group was open.
 */
class SlsHistoryTest {
    @TempDir
    static Path tmp;
    static Path store;
    static long first;
    static long second;
    static long third;
    static long fourth;
    /** Group.send's images while the group was open: full of second, and third over second. */
    static byte[] fullOfSecond;
    static byte[] thirdOverSecond;

    @BeforeAll
    static void writeStore() {
        store = tmp.resolve("shop");
        try (Group g = Group.builder("shop").store(Store.directoryBuilder(store).retainCheckpoints(64).open())
                .checkpointEvery(Duration.ZERO).open()) {
            // no flusher thread: each barrier writes exactly one checkpoint, with exactly the changes before it
            TLong counter = g.newLong("counter", 0);
            TRef<String> greeting = g.newRef("greeting", "hello");
            TMap<String, Long> stock = g.newMap("stock");
            Region pages = g.regionBuilder("pages").capacity(4 * 4096).pageSize(4096).create();
            g.atomic(() -> {
                counter.set(41);
                stock.put("apple", 3L);
                stock.put("plum", 9L);
                pages.putLong(0, 0x0102030405060708L);
            });
            first = g.barrier().join().id();
            g.atomic(() -> {
                counter.set(42);
                greeting.set("world");
                stock.put("pear", 5L);
                pages.putBytes(2 * 4096, "hello".getBytes(StandardCharsets.UTF_8));
            });
            Checkpoint c2 = g.barrier().join();
            second = c2.id();
            TLong orders = g.newLong("orders", 7);
            g.atomic(() -> {
                counter.add(1);
                stock.put("apple", 2L);
                stock.remove("plum");
                pages.putBytes(2 * 4096, "jello".getBytes(StandardCharsets.UTF_8));
                orders.set(8);
            });
            Checkpoint c3 = g.barrier().join();
            third = c3.id();
            g.atomic(() -> counter.set(-5)); // the planted bug bisect finds: the counter goes negative
            fourth = g.barrier().join().id();
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            g.send(c2, a);
            fullOfSecond = a.toByteArray();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            g.send(c3, c2, b);
            thirdOverSecond = b.toByteArray();
        }
    }

    // ----------------------------------------------------------------------------------------------- diff

    @Test
    void diffShowsObjectsEntriesAndPagesThatChanged() {
        Run r = sls("diff", store, second, third);
        assertEquals(Sls.OK, r.code(), r.err());
        assertTrue(r.out().contains("~ long 'counter' (changed): 42 -> 43"), r.out());
        assertTrue(r.out().contains("+ long 'orders' (added): 8"), r.out());
        assertTrue(r.out().contains("~ entry \"apple\" (java.lang.String): 3 (java.lang.Long) -> 2 (java.lang.Long)"), r.out());
        assertTrue(r.out().contains("- entry \"plum\" (java.lang.String): was 9 (java.lang.Long)"), r.out());
        assertTrue(r.out().contains("~ page 2: 4096 bytes, head 6a656c6c6f"), r.out());
        assertFalse(r.out().contains("greeting"), "unchanged from second to third: " + r.out());

        Map<String, Object> j = sls("diff", store, first, second, "--json").json();
        assertEquals(first, (long) (Long) j.get("from"));
        List<Map<String, Object>> objects = get(j, "objects");
        Map<String, Map<String, Object>> byId = new java.util.TreeMap<>();
        objects.forEach(o -> byId.put((String) o.get("id"), o));
        assertEquals(List.of("counter", "greeting", "pages", "stock"), List.copyOf(byId.keySet()));
        assertEquals(41L, (long) (Long) byId.get("counter").get("before"));
        assertEquals(42L, (long) (Long) byId.get("counter").get("after"));
        assertEquals("hello", get(byId.get("greeting"), "before", "value"));
        assertEquals("world", get(byId.get("greeting"), "after", "value"));
        assertEquals("added", get(byId.get("stock"), "entries", 0, "change"));
        assertEquals("pear", get(byId.get("stock"), "entries", 0, "key", "value"));
        assertEquals(5L, (long) (Long) get(byId.get("stock"), "entries", 0, "after", "value"));
        assertEquals("added", get(byId.get("pages"), "pages", 0, "change"));
        assertEquals(2L, (long) (Long) get(byId.get("pages"), "pages", 0, "index"));

        Map<String, Object> none = sls("diff", store, third, third, "--json").json();
        assertEquals(List.of(), none.get("objects"));
        Map<String, Object> back = sls("diff", store, third, second, "--json").json();
        List<Map<String, Object>> backObjects = get(back, "objects");
        assertTrue(backObjects.stream().anyMatch(o -> o.get("id").equals("orders") && o.get("change").equals("removed")),
                backObjects.toString());
        assertEquals(Sls.USAGE, sls("diff", store, first, 9999).code());
    }

    @Test
    void diffOfAnObjectWhoseKindChangedOrWasRemoved() {
        Path raw = tmp.resolve("raw");
        try (Store s = Store.directory(raw)) {
            try (CheckpointWriter w = s.begin(1, -1, null)) {
                w.putObject("a", Kinds.LONG, new byte[8]);
                w.putObject("b", Kinds.LONG, new byte[8]);
                w.commit();
            }
            try (CheckpointWriter w = s.begin(2, 1, null)) {
                w.putObject("a", Kinds.MAP, new byte[0]);
                w.removeObject("b");
                w.commit();
            }
        }
        List<Map<String, Object>> objects = get(sls("diff", raw, 1, 2, "--json").json(), "objects");
        assertEquals("replaced", objects.get(0).get("change"));
        assertEquals("map", objects.get(0).get("kind"));
        assertEquals("removed", objects.get(1).get("change"));
        assertEquals(0L, (long) (Long) objects.get(1).get("before"));
    }

    // ------------------------------------------------------------------------------------------ send/recv

    @Test
    void sendWritesTheRecordsGroupSendWrites() throws IOException {
        Run full = sls("send", store, "--checkpoint", second);
        assertEquals(Sls.OK, full.code(), full.err());
        assertEquals("", full.out(), "stdout holds the image only");
        assertEquals(records(fullOfSecond), records(full.stdout()));

        Path file = tmp.resolve("third-over-second.img");
        Run inc = sls("send", store, "--checkpoint", third, "--base", second, "-o", file, "--json");
        assertEquals(Sls.OK, inc.code(), inc.err());
        assertEquals(Files.size(file), (long) (Long) inc.json().get("bytes"));
        assertEquals(records(thirdOverSecond), records(Files.readAllBytes(file)));

        Run exists = sls("send", store, "--checkpoint", third, "-o", file);
        assertEquals(Sls.USAGE, exists.code());
        assertTrue(exists.err().contains("exists"), exists.err());
        assertEquals(Sls.USAGE, sls("send", store, "--checkpoint", second, "--base", third).code());
        assertEquals(Sls.USAGE, sls("send", store, "--checkpoint", 9999).code());
    }

    @Test
    void recvBuildsAStoreFromSendAndAppliesAnIncrement() throws IOException {
        Path into = tmp.resolve("received");
        Run full = sls(sls("send", store, "--checkpoint", second).stdout(), "recv", into);
        assertEquals(Sls.OK, full.code(), full.err());
        assertTrue(full.out().contains("received full checkpoint " + second), full.out());
        List<Map<String, Object>> cps = get(sls("ls", into, "--json").json(), "checkpoints");
        assertEquals(1, cps.size(), "the image's checkpoint and nothing else: " + cps);
        assertEquals(second, (long) (Long) cps.get(0).get("id"));
        assertEquals(List.of(), get(sls("diff", into, second, second, "--json").json(), "objects"));
        assertEquals(dump(store, second), dump(into, second));

        byte[] increment = sls("send", store, "--checkpoint", third, "--base", second).stdout();
        Run inc = sls(increment, "recv", into, "--json");
        assertEquals(Sls.OK, inc.code(), inc.err());
        assertEquals(third, (long) (Long) inc.json().get("checkpoint"));
        assertEquals(dump(store, third), dump(into, third));

        // a full image into a directory holding a store: refused, the store unchanged
        Map<String, byte[]> before = contents(into);
        Run refused = sls(sls("send", store, "--checkpoint", fourth).stdout(), "recv", into);
        assertEquals(Sls.USAGE, refused.code(), refused.err());
        assertTrue(refused.err().contains("already holds a store"), refused.err());
        assertSame(before, contents(into));
        // the same increment again: not over its newest, refused
        assertEquals(Sls.USAGE, sls(increment, "recv", into).code());
        assertSame(before, contents(into));
    }

    @Test
    void aTruncatedOrGarbageImageLeavesTheDirectoryAsItWas() throws IOException {
        byte[] image = sls("send", store, "--checkpoint", third).stdout();
        byte[] truncated = java.util.Arrays.copyOf(image, image.length - 10);
        byte[] garbage = "this is not an image at all".getBytes(StandardCharsets.UTF_8);
        for (byte[] bad : List.of(truncated, garbage, new byte[0])) {
            Path fresh = tmp.resolve("fresh-" + bad.length);
            Run r = sls(bad, "recv", fresh);
            assertEquals(Sls.PROBLEM, r.code(), r.out() + r.err());
            assertFalse(Files.exists(fresh), "no directory left behind: " + r.err());
            try (Stream<Path> s = Files.list(tmp)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".recv-")), "no temporary left");
            }
        }
        Path empty = Files.createDirectories(tmp.resolve("empty-target"));
        Path file = Files.write(tmp.resolve("truncated.img"), truncated);
        assertEquals(Sls.PROBLEM, sls("recv", empty, "-i", file).code());
        assertEquals(0, contents(empty).size(), "the empty directory stays empty");
        assertEquals(Sls.OK, sls(image, "recv", empty).code(), "and takes a whole image");

        Path held = copyOf(store, "recv-into-existing");
        Map<String, byte[]> before = contents(held);
        byte[] increment = sls("send", store, "--checkpoint", fourth, "--base", third).stdout();
        byte[] flipped = increment.clone();
        flipped[flipped.length / 2] ^= 0x20;
        for (byte[] bad : List.of(java.util.Arrays.copyOf(increment, increment.length - 1), flipped, garbage)) {
            Run r = sls(bad, "recv", held);
            assertEquals(Sls.PROBLEM, r.code(), r.out() + r.err());
            assertSame(before, contents(held));
        }
        Path notStore = Files.createDirectories(tmp.resolve("not-a-store"));
        Files.writeString(notStore.resolve("notes.txt"), "mine");
        assertEquals(Sls.USAGE, sls(image, "recv", notStore).code());
        assertEquals(List.of("notes.txt"), List.copyOf(contents(notStore).keySet()));
    }

    @Test
    void recvRefusesAStoreALiveGroupHolds() {
        Path held = copyOf(store, "recv-held");
        byte[] increment = sls("send", store, "--checkpoint", fourth, "--base", third).stdout();
        try (Group g = Group.open(Store.directory(held))) {
            Run r = sls(increment, "recv", held);
            assertEquals(Sls.CANNOT_OPEN, r.code(), r.out() + r.err());
            assertTrue(g.history().size() >= 1);
        }
    }

    // -------------------------------------------------------------------------------------------- compact

    @Test
    void compactAsksThenKeepsTheNewestStateAndDeletesOldSegments() throws IOException {
        Path dir = tmp.resolve("compact");
        long newest;
        try (Group g = Group.builder("c").store(Store.directoryBuilder(dir).segmentBytes(4096).retainCheckpoints(64)
                .open()).checkpointEvery(Duration.ZERO).open()) {
            TMap<Integer, String> m = g.newMap("m");
            for (int i = 0; i < 40; i++) {
                int k = i;
                g.atomic(() -> m.put(k % 7, "value number " + k + " " + "x".repeat(200)));
                g.barrier().join();
            }
            newest = g.history().getLast().id();
        }
        int segmentsBefore = SlsTest.segments(dir).size();
        assertTrue(segmentsBefore > 3, "several segments: " + segmentsBefore);
        String stateBefore = dump(dir, newest);
        Map<String, byte[]> before = contents(dir);

        Run declined = sls("n\n".getBytes(StandardCharsets.UTF_8), "compact", dir);
        assertEquals(Sls.PROBLEM, declined.code(), declined.out() + declined.err());
        assertTrue(declined.err().contains("Go ahead? [y/N]") && declined.err().contains("nothing changed"), declined.err());
        assertSame(before, contents(dir));
        assertEquals(Sls.PROBLEM, sls("compact", dir).code(), "no answer (end of input) is no");
        assertSame(before, contents(dir));

        try (Group g = Group.open(Store.directory(dir))) {
            Run live = sls("compact", dir, "--yes");
            assertEquals(Sls.CANNOT_OPEN, live.code(), live.out() + live.err());
            assertTrue(live.err().contains("held by a live process"), live.err());
            assertFalse(g.isClosed());
        }
        before = contents(dir);

        Run yes = sls("y\n".getBytes(StandardCharsets.UTF_8), "compact", dir, "--json");
        assertEquals(Sls.OK, yes.code(), yes.out() + yes.err());
        Map<String, Object> j = yes.json();
        assertEquals(newest + 1, (long) (Long) j.get("written"));
        assertEquals(List.of(newest + 1), j.get("kept"));
        List<String> deleted = get(j, "deletedSegments");
        assertFalse(deleted.isEmpty());
        assertTrue(SlsTest.segments(dir).size() < segmentsBefore);
        assertTrue((Long) j.get("bytesAfter") < (Long) j.get("bytesBefore"), yes.out());
        assertEquals(stateBefore, dump(dir, newest + 1), "the newest state, whole");
        List<Map<String, Object>> cps = get(sls("ls", dir, "--json").json(), "checkpoints");
        assertEquals(1, cps.size());
        assertEquals(CompactCommand.LABEL, cps.get(0).get("label"));
        assertEquals(Sls.OK, sls("verify", dir).code());
        try (Group g = Group.open(Store.directory(dir))) {
            TMap<Integer, String> m = g.map("m");
            assertEquals(7, g.atomic(m::size));
        }
        Run again = sls("compact", dir, "--yes");
        assertEquals(Sls.OK, again.code(), again.err());
        assertTrue(again.out().contains("nothing to compact"), again.out());
    }

    // --------------------------------------------------------------------------------------------- bisect

    @Test
    void bisectLoadsAPredicateFromTheClasspathAndFindsThePlantedBug() throws IOException {
        Path classes = Files.createDirectories(tmp.resolve("predicate-classes"));
        Path source = Files.createDirectories(tmp.resolve("predicate-src/demo")).resolve("CounterNonNegative.java");
        Files.writeString(source, """
                package demo;
                import io.aurora4j.txn.CheckpointView;
                public class CounterNonNegative implements java.util.function.Predicate<CheckpointView> {
                    public static int evaluations;
                    @Override public boolean test(CheckpointView v) {
                        evaluations++;
                        return v.get(v.checkpoint().group().longRef("counter")) >= 0;
                    }
                }
                """);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), source.toString()));
        Map<String, byte[]> before = contents(store);

        Run r = sls("bisect", store, "--predicate", "demo.CounterNonNegative", "--classpath", classes);
        assertEquals(Sls.PROBLEM, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("first checkpoint that breaks demo.CounterNonNegative: " + fourth + ","), r.out());
        assertTrue(r.out().contains("the one before it holds: " + third), r.out());
        Map<String, Object> j = sls("bisect", store, "--predicate", "demo.CounterNonNegative", "--classpath", classes,
                "--json").json();
        assertEquals(fourth, (long) (Long) get(j, "firstBad", "id"));
        long n = (Long) j.get("checkpoints");
        long evaluations = (Long) j.get("evaluations");
        assertTrue(evaluations <= 1 + (64 - Long.numberOfLeadingZeros(n - 1)), evaluations + " over " + n);
        assertSame(before, contents(store));

        assertEquals(Sls.USAGE, sls("bisect", store).code(), "--predicate and --classpath are required");
        Run missing = sls("bisect", store, "--predicate", "demo.Nope", "--classpath", classes);
        assertEquals(Sls.USAGE, missing.code());
        assertTrue(missing.err().contains("cannot load demo.Nope"), missing.err());
        Run notPredicate = sls("bisect", store, "--predicate", "java.lang.String", "--classpath", classes);
        assertEquals(Sls.USAGE, notPredicate.code());
    }

    @Test
    void helpForTheNewCommands() {
        for (String c : List.of("diff", "send", "recv", "compact", "bisect")) {
            Run r = sls(c, "--help");
            assertEquals(Sls.OK, r.code(), c);
            assertTrue(r.out().contains("Usage: sls " + c), r.out());
        }
    }

    // -------------------------------------------------------------------------------------------- helpers

    static Path copyOf(Path dir, String name) {
        return SlsTest.copyInto(dir, tmp.resolve(name));
    }

    private static void assertSame(Map<String, byte[]> before, Map<String, byte[]> after) {
        assertEquals(before.keySet(), after.keySet(), "no file created or deleted");
        before.forEach((name, b) -> assertArrayEquals(b, after.get(name), name + " unchanged"));
    }

    /** Every object of a checkpoint dumped as JSON (the group's own object aside): equal states dump equal. */
    private static String dump(Path dir, long at) {
        StringBuilder b = new StringBuilder();
        for (String id : List.of("counter", "greeting", "stock", "pages", "orders", "m")) {
            Run r = sls("dump", dir, id, "--at", at, "--pages", "--json");
            if (r.code() == Sls.OK) {
                Map<String, Object> j = r.json();
                j.remove("checkpoint");
                b.append(JsonParser.parse(Json.write(j))).append('\n');
            } else {
                b.append(id).append(": none\n");
            }
        }
        return b.toString();
    }

    /** An image's header and records as sorted text: two images with the same records in any order compare equal. */
    static List<String> records(byte[] image) {
        List<String> records = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(image);
        Images.read(in, ImageLimits.defaults(), h -> {
            records.add("header " + h.checkpointId() + " " + h.baseId() + " " + h.label());
            return new CheckpointWriter() {
                @Override
                public long id() {
                    return h.checkpointId();
                }

                @Override
                public void putObject(String id, byte kind, byte[] value) {
                    records.add("object " + id + " " + kind + " " + Kinds.hex(value, 0, value.length));
                }

                @Override
                public void removeObject(String id) {
                    records.add("remove " + id);
                }

                @Override
                public void putEntry(String id, byte[] key, byte[] value) {
                    records.add("entry " + id + " " + Kinds.hex(key, 0, key.length) + " " + Kinds.hex(value, 0, value.length));
                }

                @Override
                public void removeEntry(String id, byte[] key) {
                    records.add("unentry " + id + " " + Kinds.hex(key, 0, key.length));
                }

                @Override
                public void putPage(String id, long index, DirectBuffer src, int offset, int length) {
                    byte[] b = new byte[length];
                    src.getBytes(offset, b);
                    records.add("page " + id + " " + index + " " + Kinds.hex(b, 0, length));
                }

                @Override
                public StoredCheckpoint commit() {
                    return new StoredCheckpoint(h.checkpointId(), h.baseId(), h.label(), 0, 0);
                }

                @Override
                public void abort() {
                }

                @Override
                public void close() {
                }
            };
        });
        records.sort(null);
        return records;
    }
}
