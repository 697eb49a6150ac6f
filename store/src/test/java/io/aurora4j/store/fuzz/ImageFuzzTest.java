package io.aurora4j.store.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.testing.ForeignBytesContract;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * Fuzz targets of image receive in the store ({@code Images.receive}, i.e. the {@code ImageReader}): a full image
 * into an empty memory store ({@link #receiveFull}) and any image into a store whose newest checkpoint is 1, the
 * base of the corpus's incremental images ({@link #receiveIncremental}). Contract: it commits or throws a
 * {@link StoreException} ({@code StoreCorruptedException}, {@code ImageLimitException}) or the
 * {@link IllegalArgumentException} {@code Images.receive} documents for an image whose base or id does not fit the
 * store; it allocates at most 16 bytes per input byte plus 1 MiB, whatever lengths the image claims; a failed
 * receive leaves the store's checkpoints as they were, and a committed one is the store's newest and reads back.
 * Corpus: {@code src/test/resources/io/aurora4j/store/fuzz/ImageFuzzTestInputs/<method>}.
 */
class ImageFuzzTest {
    static final ForeignBytesContract CONTRACT = ForeignBytesContract.of("Images.receive", 16, 1 << 20,
            StoreException.class);

    @FuzzTest(maxDuration = "10s")
    void receiveFull(byte[] input) {
        receive(input, false);
    }

    @FuzzTest(maxDuration = "10s")
    void receiveIncremental(byte[] input) {
        receive(input, true);
    }

    /** Checkpoint 1 of the store the incremental images apply to (the corpus's images are written over it). */
    static void base(CheckpointWriter w) {
        w.putObject("counter", (byte) 1, new byte[] {0, 0, 0, 7});
        w.putObject("map", (byte) 2, new byte[0]);
        w.putEntry("map", new byte[] {1}, new byte[] {10});
        w.putEntry("map", new byte[] {2}, new byte[] {20});
        w.putObject("region", (byte) 3, new byte[] {0, 0, 16, 0});
        w.putPage("region", 0, new UnsafeBuffer(new byte[64]), 0, 64);
    }

    private static void receive(byte[] input, boolean overBase) {
        Store[] store = new Store[1];
        List<StoredCheckpoint>[] before = new List[1];
        StoredCheckpoint[] received = new StoredCheckpoint[1];
        Throwable thrown = CONTRACT.check(input.length, () -> {
            store[0] = Store.memory();
            if (overBase) {
                try (CheckpointWriter w = store[0].begin(1, -1, "base")) {
                    base(w);
                    w.commit();
                }
            }
            before[0] = store[0].checkpoints();
            try {
                received[0] = Images.receive(new ByteArrayInputStream(input), store[0], ImageLimits.defaults());
            } catch (IllegalArgumentException e) {
                // documented only for an image that does not fit the store: its base or its id
                if (!e.getMessage().contains("is incremental over") && !e.getMessage().contains("is not newer than")) {
                    throw e;
                }
                throw new StoreException("image does not fit the store: " + e.getMessage(), e);
            }
            FuzzFiles.readEverything(store[0]);
        });
        try (Store s = store[0]) {
            if (thrown != null && !s.checkpoints().equals(before[0])) {
                throw new AssertionError("a failed receive changed the store's checkpoints from " + before[0] + " to "
                        + s.checkpoints(), thrown);
            }
            if (thrown == null && !s.lastDurable().orElseThrow().equals(received[0])) {
                throw new AssertionError("received " + received[0] + " but the newest is " + s.lastDurable());
            }
        }
    }
}
