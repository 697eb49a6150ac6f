package io.aurora4j.store.testing;

import io.aurora4j.store.spi.StoredState;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The oracle: what a store must give back for a checkpoint, kept by the test beside the store and never
 * read from it. Implements the writer's semantics from {@link io.aurora4j.store.spi.CheckpointWriter}'s javadoc.
 * Not thread-safe.
 */
public final class StateModel {
    /** One object. */
    static final class Obj {
        byte kind;
        byte[] value;
        final TreeMap<String, byte[]> entries = new TreeMap<>();
        final TreeMap<Long, byte[]> pages = new TreeMap<>();

        Obj copy() {
            Obj c = new Obj();
            c.kind = kind;
            c.value = value;
            c.entries.putAll(entries);
            c.pages.putAll(pages);
            return c;
        }
    }

    private final LinkedHashMap<String, Obj> objects = new LinkedHashMap<>();

    /** A deep copy. */
    public StateModel copy() {
        StateModel m = new StateModel();
        objects.forEach((k, v) -> m.objects.put(k, v.copy()));
        return m;
    }

    /** Forgets everything (the start of a full checkpoint). */
    public void clear() {
        objects.clear();
    }

    public boolean exists(String id) {
        return objects.containsKey(id);
    }

    public Byte kindOf(String id) {
        Obj o = objects.get(id);
        return o == null ? null : o.kind;
    }

    public List<String> ids() {
        return new ArrayList<>(objects.keySet());
    }

    public List<byte[]> entryKeys(String id) {
        List<byte[]> keys = new ArrayList<>();
        objects.get(id).entries.keySet().forEach(k -> keys.add(HexFormat.of().parseHex(k)));
        return keys;
    }

    public void putObject(String id, byte kind, byte[] value) {
        Obj o = objects.get(id);
        if (o != null && o.kind != kind) {
            objects.remove(id);
            o = null;
        }
        if (o == null) {
            o = new Obj();
            objects.put(id, o);
        }
        o.kind = kind;
        o.value = value.clone();
    }

    public void removeObject(String id) {
        objects.remove(id);
    }

    public void putEntry(String id, byte[] key, byte[] value) {
        objects.get(id).entries.put(HexFormat.of().formatHex(key), value.clone());
    }

    public void removeEntry(String id, byte[] key) {
        Obj o = objects.get(id);
        if (o != null) {
            o.entries.remove(HexFormat.of().formatHex(key));
        }
    }

    public void putPage(String id, long index, byte[] bytes) {
        objects.get(id).pages.put(index, bytes.clone());
    }

    /** Null if {@code state} holds exactly this model, else the first difference. */
    public String difference(StoredState state) {
        List<StoredState.StoredObject> stored = state.objects();
        List<String> ids = new ArrayList<>();
        stored.forEach(o -> ids.add(o.id()));
        if (!ids.equals(new ArrayList<>(objects.keySet()))) {
            return "objects " + ids + " where " + objects.keySet() + " belong";
        }
        for (StoredState.StoredObject so : stored) {
            Obj o = objects.get(so.id());
            if (so.kind() != o.kind || !Arrays.equals(so.value(), o.value)) {
                return "object " + so.id() + " has kind " + so.kind() + " value " + Arrays.toString(so.value())
                        + " where kind " + o.kind + " value " + Arrays.toString(o.value) + " belong";
            }
            Map<String, byte[]> entries = new TreeMap<>();
            state.forEachEntry(so.id(), (k, v) -> entries.put(HexFormat.of().formatHex(k), v));
            if (!sameMap(entries, o.entries)) {
                return "object " + so.id() + " has entries " + entries.keySet() + " where " + o.entries.keySet() + " belong";
            }
            long[] pages = state.pages(so.id());
            long[] expected = o.pages.keySet().stream().mapToLong(Long::longValue).toArray();
            if (!Arrays.equals(pages, expected)) {
                return "object " + so.id() + " has pages " + Arrays.toString(pages) + " where "
                        + Arrays.toString(expected) + " belong";
            }
            for (long p : pages) {
                UnsafeBuffer buf = new UnsafeBuffer(new byte[o.pages.get(p).length + 8]);
                int n = state.readPage(so.id(), p, buf, 8);
                byte[] got = new byte[n];
                buf.getBytes(8, got);
                if (!Arrays.equals(got, o.pages.get(p))) {
                    return "object " + so.id() + " page " + p + " differs";
                }
            }
        }
        return null;
    }

    private static boolean sameMap(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            if (!Arrays.equals(a.get(k), b.get(k))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateModel m && Objects.equals(describe(), m.describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    private String describe() {
        StringBuilder sb = new StringBuilder();
        objects.forEach((id, o) -> {
            sb.append(id).append(':').append(o.kind).append(Arrays.toString(o.value));
            o.entries.forEach((k, v) -> sb.append(" e").append(k).append('=').append(Arrays.toString(v)));
            o.pages.forEach((k, v) -> sb.append(" p").append(k).append('=').append(Arrays.toString(v)));
            sb.append('\n');
        });
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
