package io.aurora4j.store.image;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A test-only target for images: a writer that records every call as a line of text, and a minimal store of
 * such writers that keeps only the committed checkpoints (enough to check what {@code Images.receive} commits
 * and what it refuses).
 */
final class RecordingTarget {
    private RecordingTarget() {
    }

    /** Records calls; commit and abort are recorded in {@link #state}. */
    static final class Writer implements CheckpointWriter {
        final long id;
        final long baseId;
        final String label;
        final List<String> calls = new ArrayList<>();
        String state = "open";
        private final Store owner;

        Writer(long id, long baseId, String label, Store owner) {
            this.id = id;
            this.baseId = baseId;
            this.label = label;
            this.owner = owner;
        }

        static String hex(byte[] b) {
            return HexFormat.of().formatHex(b);
        }

        private void requireOpen() {
            if (!state.equals("open")) {
                throw new IllegalStateException("writer is " + state);
            }
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public void putObject(String id, byte kind, byte[] value) {
            requireOpen();
            calls.add("putObject " + id + " " + kind + " " + hex(value));
        }

        @Override
        public void removeObject(String id) {
            requireOpen();
            calls.add("removeObject " + id);
        }

        @Override
        public void putEntry(String id, byte[] key, byte[] value) {
            requireOpen();
            calls.add("putEntry " + id + " " + hex(key) + " " + hex(value));
        }

        @Override
        public void removeEntry(String id, byte[] key) {
            requireOpen();
            calls.add("removeEntry " + id + " " + hex(key));
        }

        @Override
        public void putPage(String id, long index, DirectBuffer src, int offset, int length) {
            requireOpen();
            byte[] b = new byte[length];
            src.getBytes(offset, b);
            calls.add("putPage " + id + " " + index + " " + hex(b));
        }

        @Override
        public StoredCheckpoint commit() {
            requireOpen();
            state = "committed";
            StoredCheckpoint cp = new StoredCheckpoint(id, baseId, label, 0, calls.size());
            if (owner instanceof MiniStore s) {
                s.committed.add(cp);
                s.writer = null;
            }
            return cp;
        }

        @Override
        public void abort() {
            requireOpen();
            state = "aborted";
            if (owner instanceof MiniStore s) {
                s.aborted++;
                s.writer = null;
            }
        }

        @Override
        public void close() {
            if (state.equals("open")) {
                abort();
            }
        }

        @Override
        public String toString() {
            return id + "/" + baseId + "/" + label + " " + state + " " + calls;
        }
    }

    /** Knows only committed checkpoint ids; begin follows the Store contract's checks. */
    static final class MiniStore implements Store {
        final List<StoredCheckpoint> committed = new ArrayList<>();
        Writer writer;
        Writer lastWriter;
        int aborted;

        @Override
        public String describe() {
            return "mini store";
        }

        @Override
        public Optional<StoredCheckpoint> lastDurable() {
            return committed.isEmpty() ? Optional.empty() : Optional.of(committed.get(committed.size() - 1));
        }

        @Override
        public List<StoredCheckpoint> checkpoints() {
            return List.copyOf(committed);
        }

        @Override
        public StoredState state(long checkpointId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CheckpointWriter begin(long id, long baseId, String label) {
            if (writer != null) {
                throw new IllegalStateException("another writer is open");
            }
            long newest = lastDurable().map(StoredCheckpoint::id).orElse(-1L);
            if (id <= newest || (baseId >= 0 && baseId != newest)) {
                throw new IllegalArgumentException("bad id " + id + " / base " + baseId + " over " + newest);
            }
            writer = new Writer(id, baseId, label, this);
            lastWriter = writer;
            return writer;
        }

        @Override
        public DurableLog log(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isFailed() {
            return false;
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "committed " + committed + ", aborted " + aborted + ", open " + writer;
        }
    }

    static String describe(byte[] b) {
        return Arrays.toString(b);
    }
}
