package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.spi.StoredState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One job: the object value format — how a state object's value as of a checkpoint is written into store records
 * (flushes and images alike) and read back when a group is recovered or received.
 *
 * <h2>Records per kind</h2>
 * Every state object is one {@code putObject(id, kind, value)} record; a map's entries and a region's pages follow
 * their object as {@code putEntry}/{@code removeEntry} and {@code putPage} records. All integers are
 * <b>big-endian</b> (most significant byte first); strings are UTF-8; keys and values of refs and maps are whatever
 * the group's {@link Codecs} produce.
 * <pre>
 *   kind 0  GROUP   id "\0group" (the one reserved id: user ids never start with NUL)
 *                   value: the group's name, UTF-8, no length prefix
 *   kind 1  LONG    value: int64 the TLong's value                                          (8 bytes)
 *   kind 2  REF     value: the codecs' encoding of the TRef's value (null included)
 *   kind 3  MAP     value: empty (0 bytes); then one putEntry(id, codecs(key), codecs(value)) per entry,
 *                   and in an increment removeEntry(id, codecs(key)) for a key that went away
 *   kind 4  REGION  value: int64 capacity in bytes, int64 page size in bytes                 (16 bytes)
 *                   then putPage(id, index, bytes) per page written (a full image: every page not all zero)
 * </pre>
 * A record holding a key and value beyond {@link io.aurora4j.store.StoreLimits#MAX_RECORD_BYTES} is refused with an
 * {@link UnwritableValueException} naming the object before anything is committed (see {@link Storable}).
 * {@link ReceivedImageCheck} checks an untrusted image against this same format before it is committed.
 *
 * <p>Stateless; thread-safe.
 */
final class ObjectFormat {
    static final byte KIND_GROUP = 0;
    static final byte KIND_LONG = 1;
    static final byte KIND_REF = 2;
    static final byte KIND_MAP = 3;
    static final byte KIND_REGION = 4;
    /** The reserved object holding the group's name; user ids never start with NUL (see {@link ObjectRegistry}). */
    static final String GROUP_META_ID = "\u0000group";

    private ObjectFormat() {
    }

    // ================================================================== writing

    /** The group record that opens a full checkpoint or image. */
    static void writeGroup(String groupName, CheckpointWriter w) {
        w.putObject(GROUP_META_ID, KIND_GROUP, groupName.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes object {@code o} whole, as of {@code cp}. */
    static void writeWhole(StateObject o, Checkpoint cp, CheckpointWriter w, Codecs codecs) {
        switch (o) {
            case TLong x -> w.putObject(x.id(), KIND_LONG, longBytes(CheckpointView.longAt(x, cp)));
            case TRef<?> x -> w.putObject(x.id(), KIND_REF, encodeRef(codecs, x, cp));
            case TMap<?, ?> x -> {
                w.putObject(x.id(), KIND_MAP, new byte[0]);
                for (Map.Entry<?, ?> e : x.snapshotAt(cp).entrySet()) {
                    byte[] key = Storable.encode(codecs, x, cp.id(), "a key", e.getKey());
                    w.putEntry(x.id(), key, encodeEntryValue(codecs, x, cp, key, e.getValue()));
                }
            }
            case Region r -> {
                if (!r.isExcludedFromCheckpoints()) {
                    w.putObject(r.id(), KIND_REGION, regionMeta(r));
                    r.pagesAt(cp, -1, (index, page, length) -> w.putPage(r.id(), index, page, 0, length));
                }
            }
        }
    }

    /**
     * Writes what changed after the epoch {@code since}, as of {@code cp}: the objects created in the window whole,
     * the boxes on the window's undo lists ({@code dirty}, see {@link EpochTimeline#dirtyBetween}) and the regions'
     * pages stamped after {@code since}. Objects {@code persisted} rejects are left out.
     */
    static void writeChanges(Checkpoint cp, long since, EpochTimeline.Dirty dirty, List<StateObject> regions,
                             Predicate<StateObject> persisted, CheckpointWriter w, Codecs codecs) {
        IdentityHashMap<Object, Boolean> done = new IdentityHashMap<>();
        for (StateObject o : dirty.created()) { // objects first, so their entries and pages follow them
            if (persisted.test(o) && done.put(o, Boolean.TRUE) == null) {
                writeWhole(o, cp, w, codecs);
            }
        }
        for (UndoEntry head : dirty.undoHeads()) {
            for (UndoEntry u = head; u != null; u = u.nextInEpoch) {
                VBox b = u.box;
                if (done.put(b, Boolean.TRUE) != null) {
                    continue;
                }
                switch (b) {
                    case TLong x -> {
                        if (persisted.test(x)) {
                            w.putObject(x.id(), KIND_LONG, longBytes(CheckpointView.longAt(x, cp)));
                        }
                    }
                    case TRef<?> x -> {
                        if (persisted.test(x)) {
                            w.putObject(x.id(), KIND_REF, encodeRef(codecs, x, cp));
                        }
                    }
                    case TMap.Cell c -> {
                        if (done.containsKey(c.map) || !persisted.test(c.map)) {
                            continue; // created in the window (written whole above), or not persisted
                        }
                        Object v = CheckpointView.refAt(c, cp);
                        byte[] key = Storable.encode(codecs, c.map, cp.id(), "a key", c.key);
                        if (v == TMap.ABSENT) {
                            w.removeEntry(c.map.id(), key);
                        } else {
                            w.putEntry(c.map.id(), key, encodeEntryValue(codecs, c.map, cp, key, v));
                        }
                    }
                    default -> {
                        // TMap size stripes are derived state; region roots are handled per region below
                    }
                }
            }
        }
        for (StateObject o : regions) {
            if (o instanceof Region r && !done.containsKey(r) && persisted.test(r) && !r.isExcludedFromCheckpoints()) {
                r.pagesAt(cp, since, (index, page, length) -> w.putPage(r.id(), index, page, 0, length));
            }
        }
    }

    /** A ref's value as of {@code cp}, encoded and checked against the record limit, or an {@link UnwritableValueException}. */
    private static byte[] encodeRef(Codecs codecs, TRef<?> x, Checkpoint cp) {
        byte[] value = Storable.encode(codecs, x, cp.id(), "a value", CheckpointView.refAt(x, cp));
        Storable.checkRecord(x, cp.id(), value.length);
        return value;
    }

    /** An entry's value, encoded and checked with its key against the record limit, or an {@link UnwritableValueException}. */
    private static byte[] encodeEntryValue(Codecs codecs, TMap<?, ?> map, Checkpoint cp, byte[] key, Object v) {
        byte[] value = Storable.encode(codecs, map, cp.id(), "a value", v);
        Storable.checkRecord(map, cp.id(), (long) key.length + value.length);
        return value;
    }

    static byte[] regionMeta(Region r) {
        byte[] b = new byte[16];
        putLong(b, 0, r.capacity());
        putLong(b, 8, r.pageSize());
        return b;
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i)); // big-endian
        }
    }

    // ================================================================== reading

    static long readLong(byte[] b, int at) {
        if (b.length < at + 8) {
            throw new IllegalStateException("a stored value is " + b.length + " bytes, expected at least " + (at + 8));
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    /** The group name stored in {@code state}, or null if it holds none. */
    static String storedGroupName(StoredState state) {
        for (StoredState.StoredObject o : state.objects()) {
            if (o.kind() == KIND_GROUP && o.id().equals(GROUP_META_ID)) {
                return new String(o.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * Recreates in {@code group} every object of {@code state} with its stored value (before any other use of the
     * group); regions lazily, see {@link Region#restoreLazily}. {@code storeName} names the store in messages.
     */
    static void restoreAll(Group group, StoredState state, Codecs codecs, String storeName) {
        for (StoredState.StoredObject o : state.objects()) {
            restoreObject(group, state, o, codecs, storeName);
        }
    }

    private static void restoreObject(Group group, StoredState state, StoredState.StoredObject o, Codecs codecs, String storeName) {
        String id = o.id();
        switch (o.kind()) {
            case KIND_GROUP -> {
                String stored = new String(o.value(), StandardCharsets.UTF_8);
                if (!stored.equals(group.name())) {
                    throw new IllegalArgumentException("store " + storeName + " holds group '" + stored
                            + "', not group '" + group.name() + "'");
                }
            }
            case KIND_LONG -> group.newLong(id, readLong(o.value(), 0));
            case KIND_REF -> group.newRef(id, codecs.decode(o.value()));
            case KIND_MAP -> {
                TMap<Object, Object> map = group.newMap(id);
                List<Object[]> batch = new ArrayList<>();
                state.forEachEntry(id, (k, v) -> {
                    batch.add(new Object[] {codecs.decode(k), codecs.decode(v)});
                    if (batch.size() == 1024) {
                        putAll(map, batch);
                    }
                });
                putAll(map, batch);
            }
            case KIND_REGION -> {
                long capacity = readLong(o.value(), 0);
                int pageSize = (int) readLong(o.value(), 8);
                Region r = group.regionBuilder(id).capacity(capacity).storedPageSize(pageSize).create();
                // Lazily: the table gets placeholders that read their page from the state on first touch, so the
                // open costs no page reads (eagerly, reading and copying every page was most of the open).
                r.restoreLazily(state, state.pages(id), storeName);
            }
            default -> throw new IllegalStateException("store " + storeName + " holds object '" + id
                    + "' of unknown kind " + o.kind() + ": written by a newer Aurora4j?");
        }
    }

    private static void putAll(TMap<Object, Object> map, List<Object[]> batch) {
        if (batch.isEmpty()) {
            return;
        }
        map.group().atomic(() -> {
            for (Object[] kv : batch) {
                map.put(kv[0], kv[1]);
            }
        });
        batch.clear();
    }
}
