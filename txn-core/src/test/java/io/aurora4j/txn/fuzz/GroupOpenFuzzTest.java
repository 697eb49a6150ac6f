package io.aurora4j.txn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aurora4j.store.CodecException;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.ForeignBytesContract;
import io.aurora4j.txn.Group;

import java.nio.file.Path;

/**
 * Fuzz target of {@code Group.open} over a damaged store: the input is the segment file of a store a real group
 * wrote (TLong, TRef, TMap and Region objects), on an in-memory disk. Contract: a group, or
 * a {@link StoreException}, a {@link CodecException} or the documented {@link IllegalArgumentException} (no
 * checkpoint of a group); at most 32 bytes allocated per input byte plus 8 MiB, on the heap and in direct memory
 * left pinned; and the recovered group is usable: it takes a checkpoint. Corpus:
 * {@code src/test/resources/io/aurora4j/txn/fuzz/GroupOpenFuzzTestInputs/open}.
 */
class GroupOpenFuzzTest {
    static final ForeignBytesContract CONTRACT = ForeignBytesContract.of("Group.open", 32, 8 << 20,
            StoreException.class, CodecException.class);
    static final Path DIR = Path.of("/fuzz/group");
    /** The segment name of the seeds: a segment is named after the first checkpoint written into it. */
    static final String SEGMENT = "segment-0000000000000001.log";

    @FuzzTest(maxDuration = "10s")
    void open(byte[] input) {
        CONTRACT.check(input.length, () -> {
            FaultInjectingIO.Image image = new FaultInjectingIO.Image();
            image.files().put(DIR.resolve(SEGMENT), input);
            Store store = Store.directoryBuilder(DIR).io(FaultInjectingIO.of(image, 0)).backgroundDeletes(false).open();
            try (Group g = GroupReceiveFuzzTest.documented(() -> Group.open(store))) {
                g.history();
                g.checkpoint().durable().join();
            } finally {
                store.close();
            }
        });
    }
}
