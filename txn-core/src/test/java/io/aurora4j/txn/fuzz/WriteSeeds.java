package io.aurora4j.txn.fuzz;

import io.aurora4j.store.Store;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import io.aurora4j.txn.TRef;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the seed corpus of txn-core's fuzz targets with a real group (images sent by {@code Group.send}, the
 * segment a durable group wrote), plus a few crafted inputs. Run from the repository root after a format change,
 * then commit the files:
 * {@snippet lang=sh :
 * ./build mvn -q -o -pl txn-core -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp txn-core/target/test-classes:txn-core/target/classes:store/target/test-classes:$(cat txn-core/target/cp.txt) \
 *      io.aurora4j.txn.fuzz.WriteSeeds txn-core/src/test/resources
 * }
 */
final class WriteSeeds {
    private WriteSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]).resolve("io/aurora4j/txn/fuzz");
        images(root);
        segments(root.resolve("GroupOpenFuzzTestInputs/open"));
    }

    private static void put(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }

    private static byte[] send(Group g, Checkpoint cp, Checkpoint base) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (base == null) {
            g.send(cp, out);
        } else {
            g.send(cp, base, out);
        }
        return out.toByteArray();
    }

    /** Three checkpoints of a group with one object of each kind; the second and third change a few of them. */
    private static List<Checkpoint> populate(Group g) {
        TLong x = g.newLong("x", 1);
        TMap<String, Integer> m = g.newMap("m");
        Region r = g.newRegion("r", 1 << 16);
        TRef<Object> blob = g.newRef("blob", List.of("text", 42L, new byte[] {4, 5}));
        m.put("a", 1);
        m.put("gone", 0);
        r.putLong(4096 * 3, 33);
        Checkpoint first = g.checkpoint("first");
        x.set(5);
        m.put("new", 7);
        m.remove("gone");
        r.putLong(8, 88);
        g.newRef("born", "later");
        Checkpoint second = g.checkpoint();
        blob.set(null);
        r.putLong(4096 * 9, 99);
        Checkpoint third = g.checkpoint("third");
        return List.of(first, second, third);
    }

    private static void images(Path root) throws IOException {
        try (Group g = Group.inMemory("origin")) {
            List<Checkpoint> cps = populate(g);
            byte[] base = send(g, cps.get(0), null);
            byte[] full = send(g, cps.get(2), null);
            put(root, "base-image.bin", base);
            Path receive = root.resolve("GroupReceiveFuzzTestInputs/receive");
            put(receive, "full-first", base);
            put(receive, "full-third", full);
            put(receive, "crafted-truncated", Arrays.copyOf(full, full.length - 7));
            byte[] flipped = full.clone();
            flipped[full.length / 2] ^= 0x04;
            put(receive, "crafted-flipped-byte", flipped);
            try (Group empty = Group.inMemory("empty")) {
                put(receive, "full-empty-group", send(empty, empty.checkpoint(), null));
            }
            Path into = root.resolve("GroupReceiveFuzzTestInputs/receiveIntoStore");
            put(into, "incremental-second-over-first", send(g, cps.get(1), cps.get(0)));
            put(into, "incremental-third-over-first", send(g, cps.get(2), cps.get(0)));
            put(into, "full-third", full);
            put(into, "crafted-incremental-over-the-wrong-base", send(g, cps.get(2), cps.get(1)));
        }
    }

    private static void segments(Path dir) throws IOException {
        Path tmp = Files.createTempDirectory("aurora4j-txn-seeds");
        try {
            try (Group g = Group.builder("durable").store(Store.directory(tmp)).checkpointEvery(Duration.ofHours(1)).open()) {
                populate(g);
                g.barrier().join();
            }
            try (Stream<Path> files = Files.list(tmp)) {
                List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
                if (segments.size() != 1 || !segments.get(0).getFileName().toString().equals(GroupOpenFuzzTest.SEGMENT)) {
                    throw new IllegalStateException("expected the one segment " + GroupOpenFuzzTest.SEGMENT + ", found " + segments);
                }
                byte[] segment = Files.readAllBytes(segments.get(0));
                put(dir, "as-written", segment);
                put(dir, "crafted-torn-tail", Arrays.copyOf(segment, segment.length - 9));
                byte[] middle = segment.clone();
                middle[segment.length / 2] ^= 0x10;
                put(dir, "crafted-bad-record-in-the-middle", middle);
            }
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
