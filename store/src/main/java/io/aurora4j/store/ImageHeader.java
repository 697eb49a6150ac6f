package io.aurora4j.store;

/**
 * What an image says about its checkpoint, read before any of its records.
 *
 * @param version      the image format version
 * @param checkpointId the checkpoint's id
 * @param baseId       the checkpoint the image is incremental over, or {@code -1} for a full image
 * @param label        the checkpoint's label, or null
 */
public record ImageHeader(int version, long checkpointId, long baseId, String label) {
    /** Whether the image holds the whole state rather than changes over {@link #baseId()}. */
    public boolean isFull() {
        return baseId < 0;
    }
}
