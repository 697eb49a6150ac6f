package io.aurora4j.store;

import io.aurora4j.store.internal.image.ImageReader;
import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.store.internal.image.ImageWriter;

import org.agrona.ExpandableArrayBuffer;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checkpoint images: a checkpoint as a self-contained byte stream, to send to another process or machine
 * (Aurora's {@code sls send}/{@code sls recv}). {@code group.send(cp, out)} writes one through
 * {@link #writer}; {@code Group.receive(in, store)} reads one through {@link #receive}.
 *
 * <p>An image is full (the whole state) or incremental over a checkpoint the receiver already has. It is a
 * prefix (magic bytes, format version), a header record (checkpoint id, base id, label), one record per
 * {@link CheckpointWriter} call, and a trailer (record count, byte count, CRC32C of the whole image); each record
 * carries its own length and CRC32C. Both sides stream: memory stays bounded by one record. A received image is
 * untrusted: it is checked against {@link ImageLimits}, and nothing of it is committed unless all of it arrived
 * intact (see {@link #receive}).
 *
 * {@snippet :
 * try (CheckpointWriter image = Images.writer(out, 7, -1, "nightly")) {
 *     image.putObject("owner", kind, valueBytes);
 *     image.commit();                                      // writes the trailer and flushes
 * }
 * StoredCheckpoint cp = Images.receive(in, store, ImageLimits.defaults());
 * }
 */
public final class Images {
    private Images() {
    }

    /**
     * A writer that streams checkpoint {@code checkpointId} to {@code out} as an image: the prefix and header
     * are written at once, each record as it is written, the trailer by {@link CheckpointWriter#commit()},
     * which then flushes {@code out} (it returns a {@link StoredCheckpoint} whose {@code bytes} is the image's
     * size). {@link CheckpointWriter#abort()} writes nothing more: the receiver sees no trailer and commits
     * nothing. {@code out} is never closed by the writer. An {@link java.io.IOException} is a
     * {@link StoreFailedException}, and every later write throws one too.
     *
     * @param baseId {@code -1} for a full image, else the checkpoint the image is incremental over
     * @param label  the checkpoint's label, or null
     * @throws IllegalArgumentException if {@code checkpointId} is negative or {@code baseId} is not -1 or below it
     * @throws StoreFailedException     if writing the prefix failed
     */
    @SuppressWarnings("exports") // an SPI type (io.aurora4j.store.spi): for txn-core, which the SPI is exported to
    public static CheckpointWriter writer(OutputStream out, long checkpointId, long baseId, String label) {
        return new ImageWriter(out, checkpointId, baseId, label);
    }

    /**
     * Writes a full image of a stored checkpoint — its id, label, objects, entries and pages — to {@code out}
     * (e.g. to send a checkpoint of a store directory elsewhere). {@code out} is flushed, not closed.
     *
     * @return the checkpoint as written: its {@code bytes} is the image's size
     * @throws StoreFailedException if writing failed
     */
    @SuppressWarnings("exports") // an SPI type (io.aurora4j.store.spi): for txn-core, which the SPI is exported to
    public static StoredCheckpoint write(StoredState state, OutputStream out) {
        StoredCheckpoint cp = state.checkpoint();
        ExpandableArrayBuffer page = new ExpandableArrayBuffer(4096);
        try (CheckpointWriter w = writer(out, cp.id(), -1, cp.label())) {
            for (StoredState.StoredObject o : state.objects()) {
                w.putObject(o.id(), o.kind(), o.value());
                state.forEachEntry(o.id(), (key, value) -> w.putEntry(o.id(), key, value));
                for (long index : state.pages(o.id())) {
                    int length = state.readPage(o.id(), index, page, 0);
                    w.putPage(o.id(), index, page, 0, length);
                }
            }
            return w.commit();
        }
    }

    /**
     * Reads an image from {@code in} and replays its records into the writer that {@code target} returns for its
     * header (called once, after the header was read and checked, before any other record). The target writer is
     * committed only after the trailer proved the image whole (record count, byte count, CRC32C); on any failure
     * it is aborted. Reads exactly the image's bytes, nothing after its trailer; it does not buffer {@code in}.
     *
     * @return what the target writer's commit returned
     * @throws StoreCorruptedException if the image is malformed, truncated, aborted by its sender or fails a
     *                                 checksum ({@code file()} null, {@code offset()} the record's offset in the stream)
     * @throws ImageLimitException     if it exceeds {@code limits}
     * @throws StoreException          if reading {@code in} failed
     */
    @SuppressWarnings("exports") // an SPI type (io.aurora4j.store.spi): for txn-core, which the SPI is exported to
    public static StoredCheckpoint read(InputStream in, ImageLimits limits,
                                        Function<? super ImageHeader, ? extends CheckpointWriter> target) {
        return ImageReader.read(in, limits, target);
    }

    /**
     * Receives an image from {@code in} into {@code into}: a checkpoint with the image's id, base and label is
     * begun in the store, the image's records are written to it as they arrive, and it is committed only if the
     * whole image arrived intact — otherwise it is aborted and the store is as it was. The store's writer stays
     * open while the image streams, so the store takes no other checkpoint meanwhile.
     *
     * @return the checkpoint committed into the store
     * @throws IllegalArgumentException if the image is incremental over a checkpoint that is not the store's
     *                                  newest, or its id is not above the store's newest
     * @throws StoreCorruptedException  if the image is malformed, truncated or fails a checksum
     * @throws ImageLimitException      if it exceeds {@code limits}
     */
    public static StoredCheckpoint receive(InputStream in, Store into, ImageLimits limits) {
        Objects.requireNonNull(into, "into");
        return read(in, limits, header -> begin(into, header));
    }

    /**
     * What {@link #receive} does with an image's header: checks it against {@code into} and begins its checkpoint
     * there. For a receiver that checks the records itself before they reach the store (it wraps the writer this
     * returns and passes the wrapper to {@link #read}).
     *
     * @throws IllegalArgumentException if the image is incremental over a checkpoint that is not the store's
     *                                  newest, or its id is not above the store's newest
     */
    @SuppressWarnings("exports") // an SPI type (io.aurora4j.store.spi): for txn-core, which the SPI is exported to
    public static CheckpointWriter begin(Store into, ImageHeader header) {
        Objects.requireNonNull(into, "into");
        Objects.requireNonNull(header, "header");
        Optional<StoredCheckpoint> newest = into.lastDurable();
        if (!header.isFull() && (newest.isEmpty() || newest.get().id() != header.baseId())) {
            throw new IllegalArgumentException("the image of checkpoint " + header.checkpointId()
                    + " is incremental over checkpoint " + header.baseId() + ", but the newest checkpoint of "
                    + into.describe() + " is " + newest.map(c -> String.valueOf(c.id())).orElse("none")
                    + ": receive a full image, or the missing increments first");
        }
        if (newest.isPresent() && header.checkpointId() <= newest.get().id()) {
            throw new IllegalArgumentException("the image of checkpoint " + header.checkpointId()
                    + " is not newer than checkpoint " + newest.get().id() + ", the newest of " + into.describe());
        }
        return into.begin(header.checkpointId(), header.baseId(), header.label());
    }
}
