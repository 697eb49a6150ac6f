package io.aurora4j.store;

import io.aurora4j.store.internal.DirectoryStore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures a store in a directory; {@link #open()} recovers what the directory holds and returns the store.
 *
 * <p>Retention: a committed checkpoint stays restorable ({@link Store#checkpoints()}, {@link Store#state})
 * while it is one of the newest {@link #retainCheckpoints(int) count} checkpoints <em>or</em> was committed
 * within {@link #retainFor(Duration) age} (when an age is set). The union is deliberate: a burst of
 * checkpoints never pushes out history younger than the age, and an idle store never drops below the count.
 * The newest checkpoint is always kept.
 *
 * <p>Each setting may be given once; giving one twice fails with a message naming the value already set.
 * Not thread-safe; a builder may open several stores one after another (not at the same time: the
 * directory is locked).
 */
public final class DirectoryStoreBuilder {
    /** Default number of newest checkpoints kept restorable. */
    public static final int DEFAULT_RETAIN_CHECKPOINTS = 16;
    /** Default size at which a new segment file is started: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    /** Default cleaning trigger: garbage that only cleaning can free may reach the live bytes. */
    public static final double DEFAULT_CLEANING_TRIGGER = 1.0;
    /** Default cleaning budget: a checkpoint copies forward at most half as many bytes as it writes itself. */
    public static final double DEFAULT_CLEANING_BUDGET = 0.5;

    private static final int UNSET_INT = -1;
    private static final long UNSET_LONG = -1;
    private static final double UNSET_DOUBLE = -1;

    private final Path directory;
    private int retainCheckpoints = UNSET_INT;
    private Duration retainFor;
    private long segmentBytes = UNSET_LONG;
    private StoreIO io;
    private Clock clock;
    private Boolean cleaning;
    private double cleaningTrigger = UNSET_DOUBLE;
    private double cleaningBudget = UNSET_DOUBLE;
    private Boolean backgroundDeletes;
    private Boolean acceptLostCheckpoints;

    DirectoryStoreBuilder(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** Keeps the newest {@code count} committed checkpoints restorable (default 16; at least 1). */
    public DirectoryStoreBuilder retainCheckpoints(int count) {
        requireState(retainCheckpoints == UNSET_INT, "retainCheckpoints was already set to %s", retainCheckpoints);
        if (count < 1) {
            throw new IllegalArgumentException("retainCheckpoints must be at least 1, was " + count);
        }
        this.retainCheckpoints = count;
        return this;
    }

    /** Also keeps restorable every checkpoint committed less than {@code age} ago (default: none). */
    public DirectoryStoreBuilder retainFor(Duration age) {
        requireState(retainFor == null, "retainFor was already set to %s", retainFor);
        Objects.requireNonNull(age, "age");
        if (age.isNegative()) {
            throw new IllegalArgumentException("retainFor must not be negative, was " + age);
        }
        this.retainFor = age;
        return this;
    }

    /**
     * Starts a new segment file when the current one has reached {@code bytes} (default 64 MiB). A checkpoint
     * is never split across segments, so a segment may exceed this by one checkpoint.
     */
    public DirectoryStoreBuilder segmentBytes(long bytes) {
        requireState(segmentBytes == UNSET_LONG, "segmentBytes was already set to %s", segmentBytes);
        if (bytes < 1) {
            throw new IllegalArgumentException("segmentBytes must be positive, was " + bytes);
        }
        this.segmentBytes = bytes;
        return this;
    }

    /**
     * Whether the store cleans (default {@code true}): while writing an incremental checkpoint, it copies the
     * still-live records out of its oldest segments, so that compaction can delete them without a full
     * checkpoint (see {@link #cleaningTrigger} and {@link #cleaningBudget}). Copies are byte-identical records
     * of the checkpoint being written: no retained checkpoint's state changes. Without cleaning, space is
     * reclaimed only after a full checkpoint, which {@link Store#suggestFull()} asks for.
     */
    public DirectoryStoreBuilder cleaning(boolean enabled) {
        requireState(cleaning == null, "cleaning was already set to %s", cleaning);
        this.cleaning = enabled;
        return this;
    }

    /**
     * Cleaning runs while the garbage it alone can free — in segments all of whose checkpoints are older than
     * the retained ones, the bytes the newest checkpoint's state no longer uses — exceeds {@code ratio} times
     * the bytes that state uses (default 1.0). Higher: more space, fewer copies (1.0 keeps at most about twice
     * the live data behind the retained checkpoints and copies about a quarter of a byte per byte written under
     * random overwrites; 2.0, three times and 6%); 0 cleans as soon as anything is reclaimable.
     *
     * @throws IllegalArgumentException if {@code ratio} is negative, infinite or NaN
     */
    public DirectoryStoreBuilder cleaningTrigger(double ratio) {
        requireState(cleaningTrigger == UNSET_DOUBLE, "cleaningTrigger was already set to %s", cleaningTrigger);
        if (!(ratio >= 0) || Double.isInfinite(ratio)) {
            throw new IllegalArgumentException("cleaningTrigger must be a finite ratio >= 0, was " + ratio
                    + " (to turn cleaning off, use cleaning(false))");
        }
        this.cleaningTrigger = ratio;
        return this;
    }

    /**
     * A checkpoint copies forward at most {@code ratio} times the bytes it writes itself (default 0.5), and at
     * least min(1 MiB, a quarter segment) when cleaning runs, which bounds what cleaning adds to one checkpoint's
     * latency. It must exceed the copies cleaning needs per byte written (about 0.25 at the default trigger)
     * for space to stay bounded.
     *
     * @throws IllegalArgumentException if {@code ratio} is not positive and finite
     */
    public DirectoryStoreBuilder cleaningBudget(double ratio) {
        requireState(cleaningBudget == UNSET_DOUBLE, "cleaningBudget was already set to %s", cleaningBudget);
        if (!(ratio > 0) || Double.isInfinite(ratio)) {
            throw new IllegalArgumentException("cleaningBudget must be a finite ratio > 0, was " + ratio);
        }
        this.cleaningBudget = ratio;
        return this;
    }

    /**
     * Whether compacted segments are deleted in the background (default {@code true}). Compaction runs inside
     * a commit under the store's lock; it always makes the new floor durable (the {@code FLOOR} file) there, but
     * with background deletes it hands each dead segment's close, deletion and directory force to the store's
     * deleter — one daemon thread, started at the first deletion, that deletes oldest first with a directory
     * force after each — instead of doing them before the commit returns. On a file system where deleting a
     * large file is slow (ext4 mounted with {@code discard}: about 200 ms for 64 MiB) this takes that time
     * out of the commit.
     *
     * <p>What changes: a failed deletion or directory force still fails the store for good, but it surfaces at
     * the next operation ({@link Store#begin}, a log append: {@link StoreFailedException} naming the cause)
     * rather than in the commit that compacted, which has already returned; a dead segment's file may stay on disk
     * a little after the store stops using it; and {@link Store#close()} waits (up to 30 seconds)
     * for the pending deletions. Deletions still pending when the store failed or the wait ran out are
     * abandoned: recovery scans the leftover segments and the next compaction deletes them. {@code false}
     * deletes synchronously in the commit, in a fixed order of file operations (what deterministic crash tests
     * enumerate).
     */
    public DirectoryStoreBuilder backgroundDeletes(boolean enabled) {
        requireState(backgroundDeletes == null, "backgroundDeletes was already set to %s", backgroundDeletes);
        this.backgroundDeletes = enabled;
        return this;
    }

    /**
     * Whether {@link #open()} may recover a store that has <em>provably</em> lost acknowledged checkpoints
     * (default {@code false}: it refuses with {@link StoreCorruptedException}). The store keeps a high-water
     * mark ({@code HIGHWATER}, rewritten when a segment is started and at a clean close) naming its newest
     * segment and the newest checkpoint acknowledged then; an open that finds that segment deleted, the
     * checkpoint missing, or the mark itself gone while segments remain, refuses. With {@code true} it opens at
     * the newest intact checkpoint instead, logs (WARNING, logger {@code io.aurora4j.store}) what was lost and
     * from where, and rewrites the mark to the state it opened. A non-empty segment file newer than the newest
     * segment the mark names (a stray, renamed or copied file) is never truncated, deleted or adopted: the open
     * refuses either way, naming the file, until an operator moves it away. Only when the mark itself is gone
     * does {@code true} adopt the segments found (the operator vouches for them; a bad end in them is then
     * refused rather than cut).
     */
    public DirectoryStoreBuilder acceptLostCheckpoints(boolean accept) {
        requireState(acceptLostCheckpoints == null, "acceptLostCheckpoints was already set to %s",
                acceptLostCheckpoints);
        this.acceptLostCheckpoints = accept;
        return this;
    }

    /** The file layer (default {@link StoreIO#fileSystem()}); tests pass a fault-injecting one. */
    public DirectoryStoreBuilder io(StoreIO io) {
        requireState(this.io == null, "io was already set to %s", this.io);
        this.io = Objects.requireNonNull(io, "io");
        return this;
    }

    /** The clock for commit times and age-based retention (default the system UTC clock). */
    public DirectoryStoreBuilder clock(Clock clock) {
        requireState(this.clock == null, "clock was already set to %s", this.clock);
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Opens the store: locks the directory (creating it if missing), recovers the segments and truncates a
     * torn tail.
     *
     * @throws StoreException          if the directory is locked by another open store, or cannot be read
     * @throws StoreCorruptedException if data before the end of the log is corrupt
     * @throws IllegalStateException   if cleaning was turned off and a cleaning trigger or budget was set too
     */
    public Store open() {
        if (Boolean.FALSE.equals(cleaning) && (cleaningTrigger != UNSET_DOUBLE || cleaningBudget != UNSET_DOUBLE)) {
            throw new IllegalStateException("cleaning(false) turns cleaning off, so cleaningTrigger ("
                    + (cleaningTrigger == UNSET_DOUBLE ? "unset" : cleaningTrigger) + ") and cleaningBudget ("
                    + (cleaningBudget == UNSET_DOUBLE ? "unset" : cleaningBudget) + ") would have no effect");
        }
        return DirectoryStore.open(directory,
                retainCheckpoints == UNSET_INT ? DEFAULT_RETAIN_CHECKPOINTS : retainCheckpoints,
                retainFor,
                segmentBytes == UNSET_LONG ? DEFAULT_SEGMENT_BYTES : segmentBytes,
                io == null ? StoreIO.fileSystem() : io,
                clock == null ? Clock.systemUTC() : clock,
                cleaning == null || cleaning,
                cleaningTrigger == UNSET_DOUBLE ? DEFAULT_CLEANING_TRIGGER : cleaningTrigger,
                cleaningBudget == UNSET_DOUBLE ? DEFAULT_CLEANING_BUDGET : cleaningBudget,
                backgroundDeletes == null || backgroundDeletes,
                acceptLostCheckpoints != null && acceptLostCheckpoints);
    }

    private static void requireState(boolean ok, String format, Object value) {
        if (!ok) {
            throw new IllegalStateException(String.format(format, value));
        }
    }
}
