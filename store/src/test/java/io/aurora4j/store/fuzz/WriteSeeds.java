package io.aurora4j.store.fuzz;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes the seed corpus of the store's fuzz targets with the real writers (codecs, image writer, directory store,
 * durable log), plus a few crafted inputs (truncations, a flipped byte). Run from the repository root after a
 * format change, then commit the files:
 * {@snippet lang=sh :
 * ./build mvn -q -o -pl store test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp store/target/test-classes:store/target/classes:$(cat store/target/cp.txt) \
 *      io.aurora4j.store.fuzz.WriteSeeds store/src/test/resources
 * }
 */
final class WriteSeeds {
    private WriteSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]).resolve("io/aurora4j/store/fuzz");
        codecs(root.resolve("CodecFuzzTestInputs/decode"));
        images(root.resolve("ImageFuzzTestInputs"));
        stores(root.resolve("DirectoryStoreFuzzTestInputs"), root.resolve("DurableLogFuzzTestInputs/reopen"));
    }

    private static void put(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }

    private static void codecs(Path dir) throws IOException {
        List<Object> samples = List.of(Long.MIN_VALUE, 42, (short) 7, (byte) 1, 'c', true, 1.25f, Math.PI, "héllo 😀",
                "lone \ud800", new byte[] {1, 2, 3}, List.of(1L, "two", List.of()), Set.of("a", "b"),
                Map.of("k", List.of(1, 2), "j", Map.of()), Arrays.asList(null, false, Set.of()),
                new CodecFuzzTest.Line(new CodecFuzzTest.Point(1, 2), new CodecFuzzTest.Point(3, 4), "l"),
                new CodecFuzzTest.Blob(new byte[] {9, 8}, -1, Double.NaN, "blob"), Thread.State.BLOCKED,
                Map.of(new CodecFuzzTest.Point(0, 0), List.of(Thread.State.NEW, Set.of(1.0, 2.0))));
        for (int i = 0; i < samples.size(); i++) {
            put(dir, "value-" + i, CodecFuzzTest.CODECS.encode(samples.get(i)));
        }
        byte[] line = CodecFuzzTest.CODECS.encode(samples.get(15));
        put(dir, "crafted-truncated-record", Arrays.copyOf(line, line.length - 3));
    }

    static byte[] image(long id, long base, String label, Consumer<CheckpointWriter> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CheckpointWriter w = Images.writer(out, id, base, label)) {
            records.accept(w);
            w.commit();
        }
        return out.toByteArray();
    }

    private static void images(Path dir) throws IOException {
        byte[] page = new byte[300];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) i;
        }
        Consumer<CheckpointWriter> every = w -> {
            w.putObject("alice", (byte) 1, new byte[] {0, 0, 0, 100});
            w.putObject("notes-ü€", (byte) 4, new byte[] {9});
            w.putEntry("notes-ü€", new byte[] {1}, new byte[] {2, 3});
            w.putEntry("notes-ü€", new byte[0], new byte[0]);
            w.removeEntry("notes-ü€", new byte[] {7});
            w.putObject("heap", (byte) 5, new byte[] {1, 0});
            w.putPage("heap", 0, new UnsafeBuffer(page), 10, 200);
            w.putPage("heap", Long.MAX_VALUE, new UnsafeBuffer(page), 0, 64);
            w.putObject("gone", (byte) 6, new byte[] {6});
            w.removeObject("gone");
        };
        byte[] full = image(5, -1, "full", every);
        put(dir.resolve("receiveFull"), "full-every-record", full);
        put(dir.resolve("receiveFull"), "full-empty", image(1, -1, null, w -> { }));
        put(dir.resolve("receiveFull"), "full-base", image(1, -1, "base", ImageFuzzTest::base));
        put(dir.resolve("receiveFull"), "crafted-truncated", Arrays.copyOf(full, full.length / 2));
        byte[] flipped = full.clone();
        flipped[flipped.length / 3] ^= 0x20;
        put(dir.resolve("receiveFull"), "crafted-flipped-byte", flipped);

        Consumer<CheckpointWriter> changes = w -> {
            w.putObject("counter", (byte) 1, new byte[] {0, 0, 0, 8});
            w.removeEntry("map", new byte[] {1});
            w.putEntry("map", new byte[] {3}, new byte[] {30});
            w.putPage("region", 1, new UnsafeBuffer(page), 0, 64);
            w.removeObject("gone-never-was");
        };
        put(dir.resolve("receiveIncremental"), "incremental-over-1", image(2, 1, "delta", changes));
        put(dir.resolve("receiveIncremental"), "incremental-remove-all", image(3, 1, null, w -> {
            w.removeObject("counter");
            w.removeObject("map");
            w.removeObject("region");
        }));
        put(dir.resolve("receiveIncremental"), "full-over-1", image(4, -1, "full", every));
        put(dir.resolve("receiveIncremental"), "crafted-wrong-base", image(3, 2, null, changes));
    }

    private static void stores(Path dir, Path logs) throws IOException {
        Path tmp = Files.createTempDirectory("aurora4j-seeds");
        try {
            // one segment holding three checkpoints: full, incremental, full with pages; and a log of three records
            try (Store store = Store.directoryBuilder(tmp).backgroundDeletes(false).retainCheckpoints(8).open()) {
                try (CheckpointWriter w = store.begin(1, -1, "first")) {
                    ImageFuzzTest.base(w);
                    w.commit();
                }
                try (CheckpointWriter w = store.begin(2, 1, null)) {
                    w.putObject("counter", (byte) 1, new byte[] {0, 0, 0, 8});
                    w.removeEntry("map", new byte[] {1});
                    w.commit();
                }
                try (CheckpointWriter w = store.begin(3, 2, "third")) {
                    w.putPage("region", 1, new UnsafeBuffer(new byte[128]), 0, 128);
                    w.removeObject("map");
                    w.commit();
                }
                for (String r : List.of("one", "two", "three")) {
                    store.log("x").append(r.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] segment = Files.readAllBytes(tmp.resolve("segment-0000000000000001.log"));
            byte[] log = Files.readAllBytes(tmp.resolve("log-x.dat"));
            put(dir.resolve("segment"), "three-checkpoints", segment);
            put(dir.resolve("segment"), "crafted-torn-tail", Arrays.copyOf(segment, segment.length - 5));
            byte[] middle = segment.clone();
            middle[segment.length / 2] ^= 0x01;
            put(dir.resolve("segment"), "crafted-bad-record-in-the-middle", middle);

            List<Map.Entry<String, byte[]>> files = new ArrayList<>();
            try (var list = Files.list(tmp)) {
                for (Path p : list.sorted().toList()) {
                    String name = p.getFileName().toString();
                    if (DirectoryStoreFuzzTest.NAMES.contains(name)) {
                        files.add(Map.entry(name, Files.readAllBytes(p)));
                    }
                }
            }
            put(dir.resolve("directory"), "as-written", DirectoryStoreFuzzTest.join(files));
            List<Map.Entry<String, byte[]>> split = new ArrayList<>(files);
            split.add(Map.entry("segment-0000000000000005.log", Arrays.copyOfRange(segment, 0, 24)));
            put(dir.resolve("directory"), "crafted-stray-segment", DirectoryStoreFuzzTest.join(split));
            put(dir.resolve("directory"), "crafted-log-tmp-and-floor-tmp", DirectoryStoreFuzzTest.join(List.of(
                    Map.entry("segment-0000000000000001.log", segment), Map.entry("log-x.tmp", log),
                    Map.entry("FLOOR.tmp", new byte[] {1, 2, 3}))));

            put(logs, "three-records", log);
            put(logs, "crafted-torn-tail", Arrays.copyOf(log, log.length - 2));
            byte[] bad = log.clone();
            bad[log.length / 2] ^= 0x01;
            put(logs, "crafted-bad-record", bad);
            put(logs, "crafted-header-only", Arrays.copyOf(log, 16));
        } finally {
            FuzzFiles.deleteTree(tmp);
        }
    }
}
