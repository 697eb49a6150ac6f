package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.CodecException;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.ImageHeader;
import io.aurora4j.store.ImageLimitException;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks, record by record, that a group can be built from a received image before any of it is committed to
 * the receiver's store: what {@link Group#receive(InputStream, Store, ImageLimits)} promises (all or nothing).
 * It wraps the store's writer for the image and passes each record on once it holds; so the store commits only
 * an image that {@link ObjectFormat#restoreAll} can restore — every object of a known kind with a value of the right
 * size that the default codecs decode, every entry of a map, every page of a region, of its region's page size
 * and inside it, and the group object present — and a failed receive leaves the store as it was.
 *
 * <p>It also bounds what building the group will cost (issue #10): a region's page size may not exceed
 * {@link ImageLimits#maxRecordBytes()} (a page travels in one record; a region allocates a page of zeros of its
 * page size) and the regions the image declares may span at most {@link ImageLimits#maxRegionPages()} pages in
 * all (each region's page table is sized by the pages it spans).
 *
 * <p>A content error is an {@link IllegalArgumentException}, which the image reader turns into a
 * {@link io.aurora4j.store.StoreCorruptedException} at the record's offset; a limit is an
 * {@link ImageLimitException}, located there too. Its memory is one small entry per object id of the resulting
 * state (ids of an incremental image's base included). One receive, one thread: not thread-safe.
 */
final class ReceivedImageCheck implements CheckpointWriter {
    private static final Codecs CODECS = Codecs.defaults(); // what Group.open decodes with

    /** What the resulting state holds under an id: its kind and, for a region, its shape. */
    private record Shape(byte kind, long capacity, int pageSize, long pages) {
        static Shape of(byte kind) {
            return new Shape(kind, 0, 0, 0);
        }
    }

    private final CheckpointWriter store;
    private final ImageLimits limits;
    private final Map<String, Shape> objects = new HashMap<>();
    private long regionPages;

    private ReceivedImageCheck(CheckpointWriter store, ImageLimits limits) {
        this.store = store;
        this.limits = limits;
    }

    /** Receives {@code in} into {@code into}, committing only an image a group can be built from. */
    static StoredCheckpoint receive(InputStream in, Store into, ImageLimits limits) {
        return Images.read(in, limits, header -> start(into, header, limits));
    }

    private static ReceivedImageCheck start(Store into, ImageHeader header, ImageLimits limits) {
        // The base's objects first (before the store's writer exists), so records of the increment can be checked.
        StoredState base = header.isFull() || into.lastDurable().isEmpty() ? null : into.state(into.lastDurable().get().id());
        CheckpointWriter w = Images.begin(into, header);
        ReceivedImageCheck check = new ReceivedImageCheck(w, limits);
        if (base != null) {
            try {
                for (StoredState.StoredObject o : base.objects()) {
                    check.objects.put(o.id(), check.shapeOf(o.id(), o.kind(), o.value(), false));
                }
            } catch (RuntimeException e) {
                w.abort();
                throw e;
            }
        }
        return check;
    }

    @Override
    public long id() {
        return store.id();
    }

    @Override
    public void putObject(String id, byte kind, byte[] value) {
        Shape previous = objects.get(id);
        Shape shape = shapeOf(id, kind, value, true);
        if (previous != null && previous.kind() == ObjectFormat.KIND_REGION && kind == ObjectFormat.KIND_REGION
                && (previous.capacity() != shape.capacity() || previous.pageSize() != shape.pageSize())) {
            // the store keeps the pages it holds for the id: pages of another shape would not fit the new region
            throw new IllegalArgumentException("Region '" + id + "' changes from " + previous.capacity() + " bytes in pages of "
                    + previous.pageSize() + " to " + shape.capacity() + " in pages of " + shape.pageSize()
                    + " without being removed first");
        }
        objects.put(id, shape);
        store.putObject(id, kind, value);
    }

    /** The shape of object {@code id}, or a clear error saying why no group object can be built from it. */
    private Shape shapeOf(String id, byte kind, byte[] value, boolean fromImage) {
        boolean groupId = id.equals(ObjectFormat.GROUP_META_ID);
        if (!groupId && !id.isEmpty() && id.charAt(0) == '\u0000') {
            throw new IllegalArgumentException("object id '" + printable(id) + "' is reserved (it starts with NUL)");
        }
        if (groupId != (kind == ObjectFormat.KIND_GROUP)) {
            throw new IllegalArgumentException(groupId ? "the group object is of kind " + kind + ", not " + ObjectFormat.KIND_GROUP
                    : "object '" + id + "' is of kind " + kind + ", the group object's");
        }
        switch (kind) {
            case ObjectFormat.KIND_GROUP -> {
                if (new String(value, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                    throw new IllegalArgumentException("the group object names no group (its name is blank)");
                }
                return Shape.of(kind);
            }
            case ObjectFormat.KIND_LONG -> {
                if (value.length != 8) {
                    throw new IllegalArgumentException("TLong '" + id + "' holds " + value.length + " bytes, expected 8");
                }
                return Shape.of(kind);
            }
            case ObjectFormat.KIND_REF -> {
                if (fromImage) { // a base's values were checked when they were received or written
                    decode(value, "TRef '" + id + "' holds a value");
                }
                return Shape.of(kind);
            }
            case ObjectFormat.KIND_MAP -> {
                if (value.length != 0) {
                    throw new IllegalArgumentException("TMap '" + id + "' holds " + value.length + " bytes of value, expected none");
                }
                return Shape.of(kind);
            }
            case ObjectFormat.KIND_REGION -> {
                return regionShape(id, value, fromImage);
            }
            default -> throw new IllegalArgumentException("object '" + id + "' is of unknown kind " + kind
                    + " (written by a newer Aurora4j?)");
        }
    }

    private Shape regionShape(String id, byte[] value, boolean fromImage) {
        if (value.length != 16) {
            throw new IllegalArgumentException("Region '" + id + "' has " + value.length + " bytes of settings, expected 16");
        }
        long capacity = ObjectFormat.readLong(value, 0);
        long pageSize = ObjectFormat.readLong(value, 8);
        if (pageSize < Region.MIN_PAGE_SIZE || pageSize > Region.MAX_STORED_PAGE_SIZE || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("Region '" + id + "': page size must be a power of two from " + Region.MIN_PAGE_SIZE
                    + " to " + Region.MAX_STORED_PAGE_SIZE + ", was " + pageSize);
        }
        Region.checkSettings(id, capacity, (int) pageSize, Region.MAX_STORED_PAGE_SIZE); // a capacity that is not positive, or too many pages
        long pages = capacity / pageSize + (capacity % pageSize == 0 ? 0 : 1);
        if (fromImage) {
            Region.checkAgrona(id); // the JVM flag: missing, no region can be built, so nothing is committed
            if (pageSize > limits.maxRecordBytes()) {
                throw new ImageLimitException(-1, "maxRecordBytes", "the page size " + pageSize + " of Region '" + id
                        + "' (a page travels in one record, and the region allocates a page of zeros of that size)");
            }
            regionPages += pages;
            if (regionPages > limits.maxRegionPages()) {
                throw new ImageLimitException(-1, "maxRegionPages", "Region '" + id + "' of " + pages
                        + " pages (the image's regions span " + regionPages + " pages; each needs its page table)");
            }
        }
        return new Shape(ObjectFormat.KIND_REGION, capacity, (int) pageSize, pages);
    }

    @Override
    public void removeObject(String id) {
        if (id.equals(ObjectFormat.GROUP_META_ID)) {
            throw new IllegalArgumentException("the image removes the group object");
        }
        objects.remove(id);
        store.removeObject(id);
    }

    @Override
    public void putEntry(String id, byte[] key, byte[] value) {
        requireKind(id, ObjectFormat.KIND_MAP, "an entry", "a map");
        decode(key, "the key of an entry of TMap '" + id + "'");
        decode(value, "the value of an entry of TMap '" + id + "'");
        store.putEntry(id, key, value);
    }

    @Override
    public void removeEntry(String id, byte[] key) {
        requireKind(id, ObjectFormat.KIND_MAP, "a removed entry", "a map");
        decode(key, "the key of a removed entry of TMap '" + id + "'");
        store.removeEntry(id, key);
    }

    @Override
    public void putPage(String id, long index, DirectBuffer src, int offset, int length) {
        Shape r = requireKind(id, ObjectFormat.KIND_REGION, "page " + index, "a region");
        if (index >= r.pages()) {
            throw new IllegalArgumentException("page " + index + " of Region '" + id + "' is beyond its " + r.pages() + " pages");
        }
        long expected = Math.min(r.pageSize(), r.capacity() - index * r.pageSize());
        if (length != expected) {
            throw new IllegalArgumentException("page " + index + " of Region '" + id + "' holds " + length
                    + " bytes, expected " + expected + " (pages of " + r.pageSize() + " in " + r.capacity() + " bytes)");
        }
        store.putPage(id, index, src, offset, length);
    }

    private Shape requireKind(String id, byte kind, String what, String kindName) {
        Shape s = objects.get(id);
        if (s == null) {
            throw new IllegalArgumentException(what + " of '" + printable(id) + "', but the image holds no object '" + printable(id) + "'");
        }
        if (s.kind() != kind) {
            throw new IllegalArgumentException(what + " of '" + id + "', which is of kind " + s.kind() + ", not " + kindName);
        }
        return s;
    }

    private static void decode(byte[] bytes, String what) {
        try {
            CODECS.decode(bytes);
        } catch (CodecException e) {
            throw new IllegalArgumentException(what + " that the default codecs cannot decode: " + e.getMessage(), e);
        }
    }

    private static String printable(String id) {
        return id.replace("\u0000", "\\0");
    }

    @Override
    public StoredCheckpoint commit() {
        if (objects.get(ObjectFormat.GROUP_META_ID) == null) {
            throw new IllegalArgumentException("the image holds no group object: no group can be built from it");
        }
        return store.commit();
    }

    @Override
    public void abort() {
        store.abort();
    }

    @Override
    public void close() {
        store.close();
    }
}
