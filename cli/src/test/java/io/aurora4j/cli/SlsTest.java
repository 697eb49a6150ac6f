package io.aurora4j.cli;

import io.aurora4j.cli.SlsRunner.Run;
import io.aurora4j.store.Store;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import io.aurora4j.txn.TRef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.aurora4j.cli.SlsRunner.sls;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code sls} command, run in-process through picocli against a directory a real durable group wrote
 * (a TLong, a TRef, a TMap and a Region over three labelled checkpoints), for its output, its JSON and its exit
 * code; and that no command changes a byte of the directory.
 */
class SlsTest {
    @TempDir
    static Path tmp;
    static Path store;
    static long first;
    static long second;
    static long third;

    @BeforeAll
    static void writeStore() {
        store = tmp.resolve("shop");
        try (Group g = Group.builder("shop").store(Store.directory(store)).checkpointEvery(Duration.ofMillis(5)).open()) {
            TLong counter = g.newLong("counter", 0);
            TRef<String> greeting = g.newRef("greeting", "hello");
            TMap<String, Long> stock = g.newMap("stock");
            Region pages = g.regionBuilder("pages").capacity(4 * 4096).pageSize(4096).create();
            g.atomic(() -> {
                counter.set(41);
                stock.put("apple", 3L);
                pages.putLong(0, 0x0102030405060708L);
            });
            first = g.checkpoint("first").durable().join().id();
            g.atomic(() -> {
                counter.set(42);
                greeting.set("world");
                stock.put("pear", 5L);
                pages.putBytes(2 * 4096, "hello".getBytes(StandardCharsets.UTF_8));
            });
            second = g.checkpoint("second").durable().join().id();
            g.atomic(() -> counter.add(1));
            third = g.checkpoint("third").durable().join().id();
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(Object o, Object... path) {
        Object v = o;
        for (Object p : path) {
            v = p instanceof Integer i ? ((List<Object>) v).get(i) : ((Map<String, Object>) v).get((String) p);
        }
        return (T) v;
    }

    @Test
    void lsListsEveryCheckpointWithKindLabelAndSize() {
        Run r = sls("ls", store);
        assertEquals(Sls.OK, r.code(), r.err());
        assertTrue(r.out().contains("all durable"), r.out());
        for (String label : List.of("first", "second", "third")) {
            assertTrue(r.out().contains(label), r.out());
        }
        assertTrue(r.out().contains("incremental"), r.out());

        Map<String, Object> j = sls("ls", store, "--json").json();
        List<Map<String, Object>> cps = get(j, "checkpoints");
        Map<String, Object> last = cps.getLast();
        assertEquals(third, (long) (Long) last.get("id"));
        assertEquals("third", last.get("label"));
        assertEquals("incremental", last.get("kind"));
        assertEquals(second, (long) (Long) last.get("base"));
        assertEquals(true, last.get("durable"));
        assertTrue((Long) last.get("bytes") > 0);
        assertTrue(((String) last.get("committedAt")).endsWith("Z"));
        assertEquals("full", cps.getFirst().get("kind"));
        assertNull(cps.getFirst().get("base"));
    }

    @Test
    void describeShowsObjectsSizesSegmentsAndRetention() {
        Run r = sls("describe", store);
        assertEquals(Sls.OK, r.code(), r.err());
        assertTrue(r.out().contains("checkpoint " + third + " 'third' of group 'shop'"), r.out());
        assertTrue(r.out().matches("(?s).*stock\\s+map\\s+2\\s+-.*"), r.out());
        assertTrue(r.out().matches("(?s).*pages\\s+region\\s+-\\s+2\\s+8192.*"), r.out());
        assertTrue(r.out().contains("segment-"), r.out());

        Map<String, Object> j = sls("describe", store, "--json").json();
        assertEquals("shop", j.get("group"));
        Map<String, Map<String, Object>> byId = new TreeMap<>();
        List<Map<String, Object>> objects = get(j, "objects");
        objects.forEach(o -> byId.put((String) o.get("id"), o));
        assertEquals(List.of("counter", "greeting", "pages", "stock"), List.copyOf(byId.keySet()));
        assertEquals("long", byId.get("counter").get("kind"));
        assertEquals(8L, byId.get("counter").get("bytes"));
        assertEquals(2L, byId.get("stock").get("entries"));
        assertEquals(2L, byId.get("pages").get("pages"));
        assertEquals(4096L, byId.get("pages").get("pageSize"));
        assertFalse(((List<?>) j.get("segments")).isEmpty());
        assertEquals(third, (long) (Long) get(j, "retention", "newest"));
        assertTrue(get(j, "cleaning", "reclaimableBytes") instanceof Long);
        assertTrue((Long) get(j, "cleaning", "liveBytes") > 0, "Store.stats(): the newest state's record bytes");
        assertEquals(List.of(), j.get("recovery"));
        assertEquals(Boolean.TRUE, get(j, "recoveryReport", "clean"), "Store.recovery() of the read-only open");
        assertTrue((Long) get(j, "recoveryReport", "bytesScanned") > 0);
        assertTrue(r.out().contains("recovery scan: "), r.out());

        Map<String, Object> atFirst = sls("describe", store, "--at", first, "--json").json();
        List<Map<String, Object>> then = get(atFirst, "objects");
        assertEquals(1L, then.stream().filter(o -> o.get("id").equals("stock")).findFirst().orElseThrow().get("entries"));
    }

    @Test
    void dumpPrintsTypedValues() {
        Run l = sls("dump", store, "counter");
        assertEquals(Sls.OK, l.code(), l.err());
        assertTrue(l.out().contains("value: 43"), l.out());
        assertEquals(41L, (long) (Long) sls("dump", store, "counter", "--at", first, "--json").json().get("value"));

        Map<String, Object> ref = sls("dump", store, "greeting", "--json").json();
        assertEquals("world", get(ref, "value", "value"));
        assertEquals("java.lang.String", get(ref, "value", "type"));
        assertTrue(sls("dump", store, "greeting", "--at", first).out().contains("\"hello\""));

        Run m = sls("dump", store, "stock");
        assertTrue(m.out().contains("\"apple\" (java.lang.String) -> 3 (java.lang.Long)"), m.out());
        Map<String, Object> map = sls("dump", store, "stock", "--json").json();
        assertEquals("apple", get(map, "entries", 0, "key", "value"));
        assertEquals(5L, (long) (Long) get(map, "entries", 1, "value", "value"));

        Map<String, Object> region = sls("dump", store, "pages", "--pages", "--json").json();
        assertEquals(16384L, (long) (Long) region.get("capacity"));
        assertEquals(2L, (long) (Long) region.get("pageCount"));
        assertEquals(0L, (long) (Long) get(region, "pages", 0, "index"));
        // Region.putLong writes in the platform (little-endian) order
        assertEquals("08070605040302010000000000000000", get(region, "pages", 0, "head"));
        assertEquals(2L, (long) (Long) get(region, "pages", 1, "index"));
        assertEquals(5L, (long) (Long) get(region, "pages", 1, "nonZero"));
        assertTrue(sls("dump", store, "pages", "--pages").out().contains("page 2: 4096 bytes, 5 non-zero, head 68656c6c6f"));
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(Sls.USAGE, sls().code());
        assertEquals(Sls.USAGE, sls("ls").code());
        assertEquals(Sls.USAGE, sls("ls", store, "--bogus").code());
        assertEquals(Sls.USAGE, sls("nosuchcommand").code());
        Run noObject = sls("dump", store, "nothing");
        assertEquals(Sls.USAGE, noObject.code());
        assertTrue(noObject.err().contains("no object 'nothing'"), noObject.err());
        Run noCheckpoint = sls("describe", store, "--at", 9999);
        assertEquals(Sls.USAGE, noCheckpoint.code());
        assertTrue(noCheckpoint.err().contains("no checkpoint 9999"), noCheckpoint.err());
    }

    @Test
    void helpForEveryCommandExitsZero() {
        Run top = sls("--help");
        assertEquals(Sls.OK, top.code());
        assertTrue(top.out().contains("Exit codes"), top.out());
        for (String c : List.of("ls", "describe", "verify", "dump")) {
            Run r = sls(c, "--help");
            assertEquals(Sls.OK, r.code(), c);
            assertTrue(r.out().contains("Usage: sls " + c), r.out());
        }
    }

    @Test
    void aDirectoryThatIsNoStoreCannotBeOpened() throws IOException {
        Run missing = sls("ls", tmp.resolve("nope"));
        assertEquals(Sls.CANNOT_OPEN, missing.code());
        assertTrue(missing.err().contains("no such directory"), missing.err());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Run notStore = sls("describe", empty);
        assertEquals(Sls.CANNOT_OPEN, notStore.code());
        assertTrue(notStore.err().contains("not a store directory"), notStore.err());
        try (Stream<Path> s = Files.list(empty)) {
            assertEquals(0, s.count(), "sls created nothing");
        }
    }

    @Test
    void verifyPassesAnIntactStore() {
        Run r = sls("verify", store);
        assertEquals(Sls.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("ok: no damage found"), r.out());
        Map<String, Object> j = sls("verify", store, "--json").json();
        assertEquals(true, j.get("ok"));
        assertEquals(List.of(), j.get("damage"));
        assertTrue((Long) j.get("records") > 10);
    }

    @Test
    void verifyNamesTheFileAndOffsetOfAFlippedByte() throws IOException {
        Path copy = copyOf(store, "flipped");
        Path segment = segments(copy).getFirst();
        byte[] bytes = Files.readAllBytes(segment);
        // flip the first payload byte of a record in the middle of the segment: that record's CRC fails
        List<Long> starts = recordStarts(bytes);
        long victim = starts.get(starts.size() / 2);
        bytes[(int) victim + 9] ^= 0x40;
        Files.write(segment, bytes);

        Run r = sls("verify", copy);
        assertEquals(Sls.PROBLEM, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("DAMAGE " + segment.getFileName() + " offset " + victim + ":"), r.out());
        assertTrue(r.out().contains("fails its CRC32C"), r.out());
        Map<String, Object> j = sls("verify", copy, "--json").json();
        assertEquals(false, j.get("ok"));
        assertEquals(segment.getFileName().toString(), get(j, "damage", 0, "file"));
        assertEquals(victim, (long) (Long) get(j, "damage", 0, "offset"));
    }

    @Test
    void readOnlyCommandsChangeNoByteOfTheDirectoryEvenWithATornTail() throws IOException {
        Path torn = copyOf(store, "torn");
        Path newest = segments(torn).getLast();
        // a torn write at the end: a record header promising more than is there; recovery cuts it (in memory)
        Files.write(newest, new byte[] {100, 0, 0, 0, 1, 2, 3, 4, 2, 9, 9}, java.nio.file.StandardOpenOption.APPEND);
        for (Path dir : List.of(store, torn)) {
            Map<String, byte[]> before = contents(dir);
            Map<String, FileTime> times = mtimes(dir);
            assertEquals(Sls.OK, sls("ls", dir).code());
            assertEquals(Sls.OK, sls("describe", dir, "--json").code());
            assertEquals(Sls.OK, sls("dump", dir, "pages", "--pages").code());
            sls("verify", dir);
            Map<String, byte[]> after = contents(dir);
            assertEquals(before.keySet(), after.keySet(), "no file created or deleted in " + dir);
            before.forEach((name, b) -> assertArrayEquals(b, after.get(name), name + " unchanged"));
            assertEquals(times, mtimes(dir));
        }
        Map<String, Object> j = sls("describe", torn, "--json").json();
        assertEquals(List.of("cut " + newest.getFileName() + " to " + (Files.size(newest) - 11) + " bytes (a torn tail)"),
                j.get("recovery"));
        Run v = sls("verify", torn);
        assertEquals(Sls.PROBLEM, v.code(), v.out());
        assertTrue(v.out().contains("DAMAGE " + newest.getFileName() + " offset " + (Files.size(newest) - 11)), v.out());
    }

    @Test
    void refusesADirectoryAGroupOfThisJvmHolds() {
        Path held = copyOf(store, "held-here");
        try (Group g = Group.open(Store.directory(held))) {
            for (String c : List.of("ls", "describe", "verify")) {
                Run r = sls(c, held);
                assertEquals(Sls.CANNOT_OPEN, r.code(), c + ": " + r.out() + r.err());
                assertTrue(r.err().contains("held by a live process"), r.err());
            }
            // the owner is undisturbed: it still writes durable checkpoints
            TLong counter = g.longRef("counter");
            g.atomic(() -> counter.add(1));
            g.barrier().join();
        }
        assertEquals(Sls.OK, sls("ls", held).code(), "free again once the group closed");
    }

    @Test
    void refusesADirectoryAnotherProcessHolds() throws Exception {
        Path held = copyOf(store, "held-elsewhere");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HoldStore.class.getName(), held.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.equals("holding")) {
                // the child's log lines, if any
            }
            assertEquals("holding", line, "the child opened the store");
            Map<String, byte[]> before = contents(held);
            Run r = sls("ls", held);
            assertEquals(Sls.CANNOT_OPEN, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("held by a live process") && r.err().contains("LOCK is locked"), r.err());
            Map<String, byte[]> after = contents(held);
            before.forEach((name, b) -> assertArrayEquals(b, after.get(name), name + " unchanged"));
        } finally {
            p.getOutputStream().close(); // the child exits when its stdin closes
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        assertEquals(Sls.OK, sls("ls", held).code(), "free again once the other process closed it");
    }

    /** The child of {@link #refusesADirectoryAnotherProcessHolds}: holds a store open until stdin closes. */
    static final class HoldStore {
        public static void main(String[] args) throws IOException {
            try (Store s = Store.directory(Path.of(args[0]))) {
                System.out.println("holding");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    static Path copyOf(Path dir, String name) {
        return copyInto(dir, tmp.resolve(name));
    }

    /** A copy of every file of {@code dir} in a new directory {@code to}; returns {@code to}. */
    static Path copyInto(Path dir, Path to) {
        try {
            Files.createDirectories(to);
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
            return to;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    /** Offsets of the records of a segment: int32 payload length, int32 CRC, type, payload. */
    static List<Long> recordStarts(byte[] segment) {
        ByteBuffer b = ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> starts = new java.util.ArrayList<>();
        int pos = 0;
        while (pos + 9 <= segment.length) {
            starts.add((long) pos);
            pos += 9 + b.getInt(pos);
        }
        assertEquals(segment.length, pos, "the segment parses into whole records");
        return starts;
    }

    static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    static Map<String, FileTime> mtimes(Path dir) throws IOException {
        Map<String, FileTime> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.getLastModifiedTime(p));
            }
        }
        return m;
    }
}
