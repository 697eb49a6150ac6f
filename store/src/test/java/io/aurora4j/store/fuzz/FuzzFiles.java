package io.aurora4j.store.fuzz;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoredState;
import org.agrona.ExpandableArrayBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch directories of the file-reading fuzz targets, and a full read of what a store recovered. */
final class FuzzFiles {
    private FuzzFiles() {
    }

    /** A new empty directory under the JVM's temporary directory; delete it with {@link #deleteTree}. */
    static Path newDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything in it. */
    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties {@code dir} (keeps the directory). */
    static void clear(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                deleteTree(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every object, entry and page of every checkpoint the store still holds, as a restore would. */
    static long readEverything(Store store) {
        long bytes = 0;
        ExpandableArrayBuffer page = new ExpandableArrayBuffer(4096);
        for (var cp : store.checkpoints()) {
            StoredState state = store.state(cp.id());
            for (StoredState.StoredObject o : state.objects()) {
                long[] sum = {o.value().length};
                state.forEachEntry(o.id(), (key, value) -> sum[0] += key.length + value.length);
                for (long index : state.pages(o.id())) {
                    sum[0] += state.readPage(o.id(), index, page, 0);
                }
                bytes += sum[0];
            }
        }
        return bytes;
    }
}
