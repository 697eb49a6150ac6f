package io.aurora4j.store;

import java.util.Optional;

/**
 * A committed checkpoint as the store knows it.
 *
 * @param id        the checkpoint id the writer gave
 * @param baseId    the checkpoint it is incremental over, or {@code -1} if it is full
 * @param label     the label, or null
 * @param committedAtMillis wall-clock time of the commit, milliseconds since the epoch
 * @param bytes     bytes the checkpoint's records take in the store
 */
public record StoredCheckpoint(long id, long baseId, String label, long committedAtMillis, long bytes) {
    /** Whether it replaces everything rather than adding to its base. */
    public boolean isFull() {
        return baseId < 0;
    }

    /** The label, if any. */
    public Optional<String> labelIfAny() {
        return Optional.ofNullable(label);
    }
}
