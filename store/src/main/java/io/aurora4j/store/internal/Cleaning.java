package io.aurora4j.store.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The directory store's cleaner: log-structured "copy-forward" of the records the newest state still uses out of
 * the oldest segments, so that those segments stop being needed and compaction can delete them without a full
 * checkpoint (Rosenblum and Ousterhout's LFS cleaner, run inside the writer rather than as a thread).
 *
 * <h2>Why</h2>
 * Compaction deletes whole segments, oldest first, once no retained checkpoint needs them. With random
 * overwrites every old segment keeps a few live records for a long time; before this class the only remedy was a
 * full checkpoint, which rewrites the whole state (256 MiB in the D1 benchmark) about once per retention window:
 * a write amplification of 2.
 *
 * <h2>Policy: oldest first, by a space trigger, within a per-checkpoint budget</h2>
 * <ul>
 *   <li><b>Which segments.</b> Only segments <em>behind the floor</em> (every checkpoint in them is older than
 *   the oldest checkpoint retained once the one being written commits) and not the segment being written:
 *   records of retained checkpoints cannot be freed before retention lets them go, so copying them earlier
 *   only copies data that may still die by itself. Among those, the oldest first, because compaction deletes
 *   only a prefix of the log (deleting a later segment before an earlier one could resurrect a removed object
 *   at recovery). Greedy-by-live-fraction would leave the prefix in place and free nothing.</li>
 *   <li><b>When.</b> While the garbage behind the floor that only cleaning can reclaim exceeds
 *   {@code trigger} times the live bytes of the newest state: {@code size - headBytes} summed over the segments
 *   behind the floor from the oldest one that still holds a live record (everything after it waits for it,
 *   since compaction deletes a prefix). Segments with no live record before it are not counted: compaction
 *   deletes them once the floor passes, without help. Cold data is handled by the same rule: a fully live oldest segment is copied
 *   forward when the garbage behind it makes it worth it.</li>
 *   <li><b>How much.</b> At most {@code budget} times the checkpoint's own bytes, and at least
 *   {@code min(1 MiB, segmentBytes / 4)} so that tiny checkpoints (or removals, which kill many bytes with a
 *   few) still make progress; the budget bounds how much cleaning adds to one checkpoint's latency.</li>
 * </ul>
 *
 * <h2>Amplification</h2>
 * With a trigger {@code g} the store holds about {@code (1 + g)} times the live data behind the floor, plus
 * what retention pins (the retained checkpoints' records) plus one segment. Under uniformly random overwrites
 * a record survives one pass of the log with probability {@code u = exp(-S (1 - u) / L)} (S the cleaned log,
 * L the live bytes), and each byte of new data costs {@code 1 / (1 - u)} bytes written: {@code g = 1}
 * (S = 2L) gives u ≈ 0.20, a write amplification of about 1.25 and at most 2x space behind the floor;
 * {@code g = 2} gives u ≈ 0.06 and 1.06. A full checkpoint every retention window costs 2. The budget
 * ({@code 0.5} by default) must exceed {@code u / (1 - u)} (0.25 at {@code g = 1}) for cleaning to keep up;
 * when it does not (a burst of removals), garbage grows until it does and {@link DirectoryStore#suggestFull()}
 * says a full checkpoint is worth it once the backlog exceeds the trigger by a whole live size.
 *
 * <h2>Correctness</h2>
 * A relocated record is a byte-identical copy of a record whose checksum was re-checked when read, written
 * inside the checkpoint being committed (before its COMMIT) as an ordinary OBJECT, ENTRY or PAGE record:
 * replaying it puts the value the state already has, so every retained checkpoint's state is unchanged, the
 * format is unchanged, and a crash before the COMMIT loses the copies with the checkpoint. A record is not
 * copied when the checkpoint being written changes it (a put or removal of the same value, entry or page) or
 * removes its object (a removal, or a kind change written as one): the copy would then undo that change.
 * A record that cannot be read, or whose checksum fails, is left where it is and cleaning stops for the
 * store's life (its reader will meet the same error with the file and offset); the group then falls back on
 * full checkpoints through {@code suggestFull}.
 *
 * <h2>Readers of older states</h2>
 * A {@link DirectoryStore#state state} taken before a relocation keeps the old location: a region restored
 * lazily reads its untouched pages through the state of the recovered checkpoint long after retention dropped
 * it (issue #10, defect 1). So the commit that holds a copy links the old location to it
 * ({@link Loc#moved}) before compaction may delete the old segment, and readers follow the links. A record
 * that is still the newest state's value is therefore readable through every location it ever had; what no
 * live state uses any more is reclaimed as before.
 *
 * <h2>Cost</h2>
 * A plan lists the live records of the oldest victims, sorted by position (sequential reads), and is built by
 * one pass over the newest state's index (O(live objects, entries and pages)) when the previous plan runs out;
 * each planned record is checked against the index again before it is copied (O(1)), so a plan may outlive
 * several checkpoints.
 *
 * <p>Not thread-safe. The settings are immutable; the plan is used only by the writer (one at a time; the
 * store's lock, taken by {@code begin} and the commit, orders successive writers); the counters and the stall
 * are read and written under the store's lock.
 */
final class Cleaning {
    private static final long MAX_MIN_BUDGET = 1 << 20;

    /** One record to copy forward: its type, where it belongs in the state, and where it is. */
    record Relocation(byte type, String id, Key key, long index, Loc loc) {
        /**
         * The newest state's location of this record if it still uses exactly this record, else null. The
         * instance the head holds is the one older snapshots share, so it is the one that gets the relocation link.
         */
        Loc liveIn(StateIndex<Loc> head) {
            StateIndex.Obj<Loc> o = head.objects.get(id);
            if (o == null) {
                return null;
            }
            Loc live = switch (type) {
                case RecordDescriptor.OBJECT -> o.phantom ? null : o.value;
                case RecordDescriptor.ENTRY -> o.entries.get(key);
                default -> o.pages.get(index);
            };
            return loc.equals(live) ? live : null;
        }

        /** The change that puts the copy at {@code moved} in place of this record. */
        Op<Loc> op(StateIndex<Loc> head, Loc moved) {
            return switch (type) {
                case RecordDescriptor.OBJECT -> {
                    StateIndex.Obj<Loc> o = head.objects.get(id);
                    yield new Op.PutObject<>(id, o.kind, o.orderId, o.orderSeq, moved);
                }
                case RecordDescriptor.ENTRY -> new Op.PutEntry<>(id, key, moved);
                default -> new Op.PutPage<>(id, index, moved);
            };
        }
    }

    /** What a checkpoint's own changes touch: a copy of any of it would undo the change. */
    static final class Touched {
        private record EntryRef(String id, Key key) {
        }

        private record PageRef(String id, long index) {
        }

        private final Set<String> valuePut = new HashSet<>();
        private final Set<String> removed = new HashSet<>();
        private final Set<EntryRef> entries = new HashSet<>();
        private final Set<PageRef> pages = new HashSet<>();

        Touched(List<Op<Loc>> ops) {
            for (Op<Loc> op : ops) {
                switch (op) {
                    case Op.PutObject<Loc> p -> valuePut.add(p.id());
                    case Op.RemoveObject<Loc> r -> removed.add(r.id());
                    case Op.PutEntry<Loc> e -> entries.add(new EntryRef(e.id(), e.key()));
                    case Op.RemoveEntry<Loc> e -> entries.add(new EntryRef(e.id(), e.key()));
                    case Op.PutPage<Loc> p -> pages.add(new PageRef(p.id(), p.index()));
                }
            }
        }

        boolean covers(Relocation r) {
            if (removed.contains(r.id())) {
                return true; // removed, or replaced by another kind: its old entries and pages must stay gone
            }
            return switch (r.type()) {
                case RecordDescriptor.OBJECT -> valuePut.contains(r.id());
                case RecordDescriptor.ENTRY -> entries.contains(new EntryRef(r.id(), r.key()));
                default -> pages.contains(new PageRef(r.id(), r.index()));
            };
        }
    }

    final boolean enabled;
    final double trigger;
    final double budget;
    private final long minBudget;
    private final ArrayDeque<Relocation> plan = new ArrayDeque<>();
    private String stalled;
    private long relocatedBytes;
    private long relocatedRecords;

    Cleaning(boolean enabled, double trigger, double budget, long segmentBytes) {
        this.enabled = enabled;
        this.trigger = trigger;
        this.budget = budget;
        this.minBudget = Math.max(1, Math.min(MAX_MIN_BUDGET, segmentBytes / 4));
    }

    /** Whether cleaning runs: enabled and not stopped by an unreadable record. Under the store's lock. */
    boolean active() {
        return enabled && stalled == null;
    }

    /** Why cleaning stopped, or null. Under the store's lock. */
    String stalled() {
        return stalled;
    }

    /** Cleaning stops for the store's life. Under the store's lock. */
    void stall(String why) {
        if (stalled == null) {
            stalled = why;
        }
        plan.clear();
    }

    /**
     * The garbage only cleaning can free: in segments behind {@code floor} (all their checkpoints older), not
     * {@code current}, that still hold live records, the bytes the newest state does not use. Under the lock.
     */
    static long backlog(List<Segment> segments, Segment current, long floor) {
        long garbage = 0;
        boolean pinned = false;
        for (Segment s : segments) {
            if (s == current || s.lastCheckpointId >= floor) {
                break; // segments are in log order: every later one holds a checkpoint at or after the floor
            }
            // A segment without live records before the first one with some goes with the floor's next move;
            // from the first live one on, everything waits for it (compaction deletes a prefix only).
            pinned |= s.headBytes > 0;
            if (pinned) {
                garbage += s.size - s.headBytes;
            }
        }
        return garbage;
    }

    /**
     * The segments to copy live records out of, oldest first, if the trigger fires for a checkpoint written to
     * {@code current} that makes {@code floor} the floor; else empty. Under the store's lock.
     */
    List<Segment> victims(List<Segment> segments, Segment current, long floor, long liveBytes, long budgetBytes) {
        if (!active() || backlog(segments, current, floor) <= trigger * liveBytes) {
            return List.of();
        }
        List<Segment> victims = new ArrayList<>();
        long planned = 0;
        for (Segment s : segments) {
            if (s == current || s.lastCheckpointId >= floor || planned >= 2 * budgetBytes) {
                break;
            }
            if (s.headBytes > 0) {
                victims.add(s);
                planned += s.headBytes;
            }
        }
        return victims;
    }

    /** The most a checkpoint that wrote {@code ownBytes} itself may copy forward. */
    long budgetFor(long ownBytes) {
        return Math.max(minBudget, (long) Math.min(Long.MAX_VALUE / 2.0, budget * ownBytes));
    }

    /** The next planned record, or null if the plan ran out. Writer only. */
    Relocation next() {
        return plan.pollFirst();
    }

    boolean hasPlan() {
        return !plan.isEmpty();
    }

    /** Plans the live records of {@code victims} (a pass over the newest state's index). Writer only. */
    void plan(StateIndex<Loc> head, List<Segment> victims) {
        Map<Segment, Integer> order = new IdentityHashMap<>();
        for (int i = 0; i < victims.size(); i++) {
            order.put(victims.get(i), i);
        }
        List<Relocation> found = new ArrayList<>();
        for (Map.Entry<String, StateIndex.Obj<Loc>> e : head.objects.entrySet()) {
            String id = e.getKey();
            StateIndex.Obj<Loc> o = e.getValue();
            if (o.value != null && !o.phantom && order.containsKey(o.value.segment())) {
                found.add(new Relocation(RecordDescriptor.OBJECT, id, null, -1, o.value));
            }
            o.entries.forEach((k, v) -> {
                if (order.containsKey(v.segment())) {
                    found.add(new Relocation(RecordDescriptor.ENTRY, id, k, -1, v));
                }
            });
            o.pages.forEachLong((index, v) -> {
                if (order.containsKey(v.segment())) {
                    found.add(new Relocation(RecordDescriptor.PAGE, id, null, index, v));
                }
            });
        }
        // Log order: the oldest segment first (compaction frees only a prefix), positions ascending (reads in order).
        found.sort(Comparator.<Relocation>comparingInt(r -> order.get(r.loc().segment()))
                .thenComparingLong(r -> r.loc().offset()));
        plan.addAll(found);
    }

    /** Counts what a committed checkpoint copied forward. Under the store's lock. */
    void committed(long bytes, long records) {
        relocatedBytes += bytes;
        relocatedRecords += records;
    }

    long relocatedBytes() {
        return relocatedBytes;
    }

    long relocatedRecords() {
        return relocatedRecords;
    }
}
