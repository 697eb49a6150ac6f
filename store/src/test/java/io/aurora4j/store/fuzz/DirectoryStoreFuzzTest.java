package io.aurora4j.store.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.ForeignBytesContract;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets of a store opened over a damaged directory: segment recovery ({@link #segment}: the input is the
 * one segment file) and the whole directory ({@link #directory}: the input is split into files chosen among
 * segments, {@code FLOOR}, {@code LOCK}, a log and leftovers of interrupted renames), on an in-memory disk
 * ({@link FaultInjectingIO}). Contract: opening and reading
 * every retained checkpoint either works or throws a {@link StoreException} (corruption, I/O); it allocates at most
 * 32 bytes per input byte plus 8 MiB (the writer's 1 MiB buffer, the scan's window); and a store that opened is
 * not poisoned: a new full checkpoint commits, survives a reopen and is then the newest.
 * Corpus: {@code src/test/resources/io/aurora4j/store/fuzz/DirectoryStoreFuzzTestInputs/<method>}.
 */
class DirectoryStoreFuzzTest {
    static final ForeignBytesContract CONTRACT = ForeignBytesContract.of("Store.directory open", 32, 8 << 20,
            StoreException.class);
    static final List<String> NAMES = List.of("segment-0000000000000001.log", "segment-0000000000000002.log",
            "segment-0000000000000005.log", "FLOOR", "FLOOR.tmp", "LOCK", "log-x.dat", "log-x.tmp");
    private static final Path DIR = Path.of("/fuzz/store");

    @FuzzTest(maxDuration = "10s")
    void segment(byte[] input) {
        openOver(input.length, List.of(Map.entry(NAMES.get(0), input)));
    }

    @FuzzTest(maxDuration = "10s")
    void directory(byte[] input) {
        List<Map.Entry<String, byte[]>> files = split(input);
        openOver(input.length, files);
    }

    /**
     * The files a {@link #directory} input stands for: a sequence of (name index into {@link #NAMES} modulo its
     * size, length as two bytes big-endian, that many bytes, fewer at the end); a later file of the same name
     * replaces an earlier one.
     */
    static List<Map.Entry<String, byte[]>> split(byte[] input) {
        List<Map.Entry<String, byte[]>> files = new ArrayList<>();
        int pos = 0;
        while (pos + 3 <= input.length) {
            String name = NAMES.get((input[pos] & 0xFF) % NAMES.size());
            int length = Math.min(((input[pos + 1] & 0xFF) << 8) | (input[pos + 2] & 0xFF), input.length - pos - 3);
            files.add(Map.entry(name, Arrays.copyOfRange(input, pos + 3, pos + 3 + length)));
            pos += 3 + length;
        }
        return files;
    }

    /** The {@link #directory} input that stands for {@code files} (name, contents of at most 65535 bytes). */
    static byte[] join(List<Map.Entry<String, byte[]>> files) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> f : files) {
            int length = f.getValue().length;
            if (length > 0xFFFF) {
                throw new IllegalArgumentException(f.getKey() + " has " + length + " bytes; at most 65535 fit");
            }
            out.write(NAMES.indexOf(f.getKey()));
            out.write(length >>> 8);
            out.write(length);
            out.writeBytes(f.getValue());
        }
        return out.toByteArray();
    }

    /** A disk in memory holding {@code files} in {@link #DIR}, all durable (real files ran 3-4 times fewer inputs per second). */
    static FaultInjectingIO disk(List<Map.Entry<String, byte[]>> files) {
        FaultInjectingIO.Image image = new FaultInjectingIO.Image();
        files.forEach(f -> image.files().put(DIR.resolve(f.getKey()), f.getValue()));
        return FaultInjectingIO.of(image, 0);
    }

    static Store open(FaultInjectingIO io) {
        return Store.directoryBuilder(DIR).io(io).backgroundDeletes(false).open();
    }

    private static void openOver(int inputBytes, List<Map.Entry<String, byte[]>> files) {
        long[] newest = {-1};
        FaultInjectingIO[] io = new FaultInjectingIO[1];
        Throwable thrown = CONTRACT.check(inputBytes, () -> {
            io[0] = disk(files);
            try (Store store = open(io[0])) {
                FuzzFiles.readEverything(store);
                store.log("x").read(0, (number, record) -> { });
                newest[0] = store.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
            }
        });
        if (thrown == null) {
            assertNotPoisoned(io[0], newest[0]);
        }
    }

    /** A store that opened takes a new checkpoint, which is then the newest after a reopen. */
    private static void assertNotPoisoned(FaultInjectingIO io, long newest) {
        long id = newest + 1;
        byte[] value = "after-recovery".getBytes(StandardCharsets.UTF_8);
        try {
            try (Store store = open(io);
                 CheckpointWriter w = store.begin(id, -1, "fuzz")) {
                w.putObject("probe", (byte) 1, value);
                w.commit();
            }
            try (Store store = open(io)) {
                long last = store.lastDurable().orElseThrow().id();
                byte[] read = store.state(last).objects().stream().filter(o -> o.id().equals("probe"))
                        .findFirst().orElseThrow().value();
                if (last != id || !Arrays.equals(read, value)) {
                    throw new AssertionError("checkpoint " + id + " committed after recovery, but the newest after a reopen is " + last);
                }
            }
        } catch (RuntimeException e) {
            throw new AssertionError("the store opened over the input, but then failed to take checkpoint " + id
                    + " and reopen with it: a poisoned store", e);
        }
    }
}
