package io.aurora4j.txn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aurora4j.store.CodecException;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.testing.ForeignBytesContract;
import io.aurora4j.txn.Group;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Fuzz targets of {@code Group.receive}: a full image rebuilt as an in-memory group ({@link #receive}) and an image
 * received into a store that holds the corpus's base checkpoint, then opened ({@link #receiveIntoStore}: the
 * corpus's incremental images apply over it). Contract: a group, or a {@link StoreException}
 * ({@code StoreCorruptedException}, {@code ImageLimitException}), a {@link CodecException} for a value that does not
 * decode, or the documented {@link IllegalArgumentException} (no checkpoint of a group in the store; an image whose
 * base or id does not fit it); at most 16 bytes allocated per input byte plus 8 MiB, on the heap and in direct
 * memory left pinned (a region's pages), whatever the image claims; a receive that fails leaves the store's
 * checkpoints as they were (nothing committed before all was validated). Corpus:
 * {@code src/test/resources/io/aurora4j/txn/fuzz/GroupReceiveFuzzTestInputs/<method>}.
 */
@SuppressWarnings("unchecked") // an array of lists, to carry a value out of the measured call
class GroupReceiveFuzzTest {
    static final ForeignBytesContract CONTRACT = ForeignBytesContract.of("Group.receive", 16, 8 << 20,
            StoreException.class, CodecException.class);
    /** A full image of the group the incremental seeds were sent from, as of their base. */
    static final byte[] BASE = resource("base-image.bin");

    static byte[] resource(String name) {
        try (InputStream in = GroupReceiveFuzzTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " (WriteSeeds writes it)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void receive(byte[] input) {
        CONTRACT.check(input.length, () -> {
            try (Group g = documented(() -> Group.receive(new ByteArrayInputStream(input)))) {
                g.history(); // the group is usable
            }
        });
    }

    @FuzzTest(maxDuration = "10s")
    void receiveIntoStore(byte[] input) {
        Store[] store = new Store[1];
        List<StoredCheckpoint>[] before = new List[1];
        Throwable thrown = CONTRACT.check(input.length, () -> {
            store[0] = Store.memory(); // a new store per call: the contract may repeat the call
            Images.receive(new ByteArrayInputStream(BASE), store[0], ImageLimits.defaults());
            before[0] = store[0].checkpoints();
            try (Group g = documented(() -> Group.receive(new ByteArrayInputStream(input), store[0]))) {
                g.history();
            }
        });
        if (thrown != null) {
            List<StoredCheckpoint> after = store[0].checkpoints();
            store[0].close();
            if (!after.equals(before[0])) {
                throw new AssertionError("a receive that failed committed into the store: its checkpoints went from "
                        + before[0] + " to " + after, thrown);
            }
        }
    }

    /** Turns the {@link IllegalArgumentException}s {@code Group.receive} documents into a {@link StoreException}. */
    static Group documented(java.util.function.Supplier<Group> receive) {
        try {
            return receive.get();
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("holds no durable checkpoint") || m.contains("is incremental over") || m.contains("is not newer than")) {
                throw new StoreException("documented: " + m, e);
            }
            throw e;
        }
    }
}
