package io.aurora4j.store;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.spi.StoredState;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a durable group keeps its checkpoints: Aurora's storage backends (memory, disk), brought to the JVM.
 *
 * <p>A store knows objects, entries, pages and checkpoint ids — bytes, never transactions. A checkpoint is
 * written through a {@link CheckpointWriter}: either <em>full</em> (it replaces everything) or
 * <em>incremental</em> over the last committed checkpoint (it adds, replaces and removes what changed). A
 * checkpoint exists once {@link CheckpointWriter#commit()} returns: its commit record is on stable storage.
 * Recovery ({@link #state(long)} of {@link #lastDurable()}) yields exactly the state of a committed
 * checkpoint, never a mix; a torn or corrupt tail is the end of the log, corruption before it is a
 * {@link StoreCorruptedException} naming the file and offset.
 *
 * <h2>States</h2>
 * <table class="striped">
 *   <caption>What each operation does in each state of the store</caption>
 *   <tr><th>operation</th><th>open</th><th>failed (a write or force failed)</th><th>closed</th></tr>
 *   <tr><td>{@link #begin}</td><td>starts a checkpoint; one writer at a time</td><td>{@link StoreFailedException}</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>{@link #lastDurable}, {@link #checkpoints}, {@link #state}</td><td>what is committed</td><td>what was committed before the failure</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>{@link #log}</td><td>opens or creates the log</td><td>{@link StoreFailedException}</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>{@link #close}</td><td>closes</td><td>closes</td><td>no effect</td></tr>
 * </table>
 * A store that failed never accepts another checkpoint: what its files hold after the failure is unknown
 * (fsync failures are not retryable, as PostgreSQL learnt), so it fails closed and the group releases
 * nothing after it.
 *
 * <h2>API and SPI</h2>
 * An application opens a store ({@link #memory()}, {@link #directory}), hands it to a group, and looks at it
 * ({@link #lastDurable}, {@link #checkpoints}, {@link #stats}, {@link #recovery}, {@link #verify}, {@link #log}). {@link #begin} and
 * {@link #state} are the SPI a group writes and restores its checkpoints through: their types live in
 * {@code io.aurora4j.store.spi}, which the module exports to {@code io.aurora4j.txn} only.
 *
 * <p>Implementations are thread-safe: one writer writes while any number of threads read committed state.
 */
public interface Store extends AutoCloseable {

    /** A store in memory: checkpoints are durable as soon as they are committed, and die with the JVM. */
    static Store memory() {
        return io.aurora4j.store.internal.MemoryStore.create();
    }

    /**
     * Reads every record of every segment ({@code segment-*.log}) and durable log ({@code log-*.dat}) file in
     * {@code directory} and checks its length and CRC32C, without opening a store and without writing anything.
     * Unlike an open, which takes a bad record at the end of the newest segment for a torn write and cuts it, this
     * reports every bad record, naming its file and offset; it checks checksums and record framing only, not the
     * structure of checkpoints (opening the store checks that). Memory stays bounded: one record at a time, and a
     * length beyond the file or the format's maximum is damage, never an allocation.
     *
     * <p>Do not call it on a directory a store of this JVM has open: closing the files it reads would drop that
     * store's OS locks (POSIX). A store of another process is not disturbed, but its newest records may be read
     * half-written.
     *
     * @throws java.io.UncheckedIOException if the directory cannot be listed or a file cannot be read
     */
    static VerifyReport verify(Path directory) {
        return io.aurora4j.store.internal.Verifier.verify(directory);
    }

    /** A store in {@code directory} (created if missing) with default settings; recovers what is there. */
    static Store directory(Path directory) {
        return directoryBuilder(directory).open();
    }

    /** A builder for a store in {@code directory}: retention, segment size, the file layer. */
    static DirectoryStoreBuilder directoryBuilder(Path directory) {
        return new DirectoryStoreBuilder(directory);
    }

    /** Names the store in messages, e.g. {@code directory /var/lib/app}. */
    String describe();

    /** The newest committed checkpoint, or empty if none was ever committed. */
    Optional<StoredCheckpoint> lastDurable();

    /** The committed checkpoints still restorable (see retention), oldest first. */
    List<StoredCheckpoint> checkpoints();

    /**
     * The state as of the committed checkpoint {@code checkpointId}.
     *
     * @throws java.util.NoSuchElementException if no retained checkpoint has that id
     * @throws StoreCorruptedException          if data it needs is corrupt
     */
    @SuppressWarnings("exports") // an SPI type (io.aurora4j.store.spi): for txn-core, which the SPI is exported to
    StoredState state(long checkpointId);

    /**
     * Starts writing checkpoint {@code id}. {@code baseId} is the id of the newest committed checkpoint for
     * an incremental checkpoint, or {@code -1} for a full one. Ids grow: {@code id} must exceed every id
     * committed before.
     *
     * @throws IllegalArgumentException if {@code id} does not grow or {@code baseId} is not the newest committed checkpoint
     * @throws IllegalStateException    if another writer is open or the store is closed
     * @throws StoreFailedException     if the store failed
     */
    @SuppressWarnings("exports") // an SPI type (io.aurora4j.store.spi): for txn-core, which the SPI is exported to
    CheckpointWriter begin(long id, long baseId, String label);

    /**
     * The durable append-only log {@code name} (Aurora's {@code sls_ntflush}), created on first use. The same
     * instance is returned for the same name.
     */
    DurableLog log(String name);

    /**
     * Bytes that compaction could reclaim if the next checkpoint were full: data no longer part of the newest
     * checkpoint that segments still hold because something written with it is still live. 0 for stores that
     * reclaim by themselves (the memory store).
     */
    default long reclaimableBytes() {
        return 0;
    }

    /**
     * Whether the writer should make its next checkpoint full. A directory store that cleans (the default)
     * copies live records forward itself and says so only when cleaning has fallen behind by more than the live
     * data (a burst of removals, say); one that does not clean (turned off, or stopped by an unreadable record)
     * says so when the reclaimable bytes exceed both one segment and the live data. Advice only; any checkpoint
     * may be full or incremental, and following it is always correct.
     */
    default boolean suggestFull() {
        return false;
    }

    /**
     * What the store holds and how its cleaning stands now: segments and their bytes, live, reclaimable and
     * relocated bytes, the cleaning state. Cheap (a pass over the segment list, no I/O); safe to call from any
     * thread, also after a failure (then it describes what was committed before it).
     *
     * <p>The default is for stores without segments that do not clean (a test double, or a store layered over
     * another, which should delegate): {@link StoreStats#withoutSegments} with {@link #reclaimableBytes()}.
     *
     * @throws IllegalStateException if the store is closed
     */
    default StoreStats stats() {
        return StoreStats.withoutSegments(0, reclaimableBytes());
    }

    /**
     * What the open of this store recovered and what it did about what it found: the checkpoint recovered, the
     * segments, bytes and records it scanned and checked, and each torn tail cut, empty segment deleted, accepted
     * loss or adopted segment, with its file, offset and checkpoint ids ({@link RecoveryReport}). Fixed at open;
     * safe to call from any thread, also after a failure or close.
     *
     * <p>The default is for stores that recover nothing (the memory store, a test double; a store layered over
     * another should delegate): {@link RecoveryReport#nothingToRecover} with {@link #describe()}.
     */
    default RecoveryReport recovery() {
        return RecoveryReport.nothingToRecover(describe());
    }

    /** Whether a write or force failed; the store then accepts no checkpoint. */
    boolean isFailed();

    /** Closes the store's files; an open writer is aborted. Idempotent. */
    @Override
    void close();
}
