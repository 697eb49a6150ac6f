package io.aurora4j.store.internal;

import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A {@link StoredState} over a private copy of a checkpoint's index; values are fetched through a
 * {@link ValueReader} on demand (the directory store reads and checks a record per value). Thread-safe: the
 * index copy is never modified after construction.
 */
final class IndexedState<V> implements StoredState {
    /** Fetches values; throws {@link IllegalStateException} when the store closed or the data was reclaimed. */
    interface ValueReader<V> {
        /** The bytes of {@code value}, a fresh array. */
        byte[] bytes(V value);

        /** Copies page {@code value} into {@code dst} at {@code offset}; returns its length. */
        int copyPage(V value, MutableDirectBuffer dst, int offset);
    }

    private final StoredCheckpoint checkpoint;
    private final StateIndex<V> index;
    private final ValueReader<V> reader;

    IndexedState(StoredCheckpoint checkpoint, StateIndex<V> index, ValueReader<V> reader) {
        this.checkpoint = checkpoint;
        this.index = index;
        this.reader = reader;
    }

    @Override
    public StoredCheckpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public List<StoredObject> objects() {
        List<Map.Entry<String, StateIndex.Obj<V>>> live = new ArrayList<>(index.objects.size());
        for (Map.Entry<String, StateIndex.Obj<V>> e : index.objects.entrySet()) {
            if (!e.getValue().phantom) {
                live.add(e);
            }
        }
        // the index's insertion order is the replay order, which compaction can change; the recorded
        // first-write order cannot
        live.sort(Comparator.comparingLong((Map.Entry<String, StateIndex.Obj<V>> e) -> e.getValue().orderId)
                .thenComparingInt(e -> e.getValue().orderSeq));
        List<StoredObject> list = new ArrayList<>(live.size());
        for (Map.Entry<String, StateIndex.Obj<V>> e : live) {
            list.add(new StoredObject(e.getKey(), e.getValue().kind, reader.bytes(e.getValue().value)));
        }
        return list;
    }

    @Override
    public void forEachEntry(String id, EntryVisitor visitor) {
        StateIndex.Obj<V> o = index.objects.get(id);
        if (o == null || o.phantom) {
            return;
        }
        for (Map.Entry<Key, V> e : o.entries.entrySet()) {
            visitor.entry(e.getKey().bytes().clone(), reader.bytes(e.getValue()));
        }
    }

    @Override
    public long[] pages(String id) {
        StateIndex.Obj<V> o = index.objects.get(id);
        if (o == null || o.phantom) {
            return new long[0];
        }
        long[] pages = new long[o.pages.size()];
        int[] i = {0};
        o.pages.keySet().forEach(k -> pages[i[0]++] = k);
        Arrays.sort(pages);
        return pages;
    }

    @Override
    public int readPage(String id, long index, MutableDirectBuffer dst, int offset) {
        StateIndex.Obj<V> o = this.index.objects.get(id);
        V page = o == null || o.phantom ? null : o.pages.get(index);
        if (page == null) {
            throw new NoSuchElementException("checkpoint " + checkpoint.id() + " has no page " + index + " of " + id);
        }
        return reader.copyPage(page, dst, offset);
    }

    @Override
    public String toString() {
        return "StoredState[" + checkpoint + "]";
    }
}
