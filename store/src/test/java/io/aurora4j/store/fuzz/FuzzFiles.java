package io.aurora4j.store.fuzz;

import io.aurora4j.store.Store;
import io.aurora4j.store.spi.StoredState;
import org.agrona.ExpandableArrayBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A full read of what a store recovered, and the removal of a scratch directory. Stateless. */
final class FuzzFiles {
    private FuzzFiles() {
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
