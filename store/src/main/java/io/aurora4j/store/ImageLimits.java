package io.aurora4j.store;

/**
 * Bounds on a received image, which is untrusted input: every length it declares is checked against these
 * before anything is allocated or written for it. Exceeding one is an {@link ImageLimitException}.
 *
 * @param maxRecordBytes the largest record payload: a page, an object's value, an entry (default 64 MiB)
 * @param maxTotalBytes  the largest image (default 64 GiB)
 * @param maxObjects     the most {@code putObject} records an image may hold (default 16 Mi)
 * @param maxIdLength    the longest object id, and label, in UTF-8 bytes (default 65535, the longest id a store accepts)
 */
public record ImageLimits(int maxRecordBytes, long maxTotalBytes, long maxObjects, int maxIdLength) {
    private static final ImageLimits DEFAULTS = new ImageLimits(64 << 20, 64L << 30, 16L << 20, 0xFFFF);

    /**
     * Checks every bound.
     *
     * @throws IllegalArgumentException if a bound is not positive
     */
    public ImageLimits {
        requirePositive(maxRecordBytes, "maxRecordBytes");
        requirePositive(maxTotalBytes, "maxTotalBytes");
        requirePositive(maxObjects, "maxObjects");
        requirePositive(maxIdLength, "maxIdLength");
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** 64 MiB per record, 64 GiB per image, 16 Mi objects, ids and label of at most 65535 bytes. */
    public static ImageLimits defaults() {
        return DEFAULTS;
    }

    /** These limits with another {@link #maxRecordBytes()}. */
    public ImageLimits withMaxRecordBytes(int value) {
        return new ImageLimits(value, maxTotalBytes, maxObjects, maxIdLength);
    }

    /** These limits with another {@link #maxTotalBytes()}. */
    public ImageLimits withMaxTotalBytes(long value) {
        return new ImageLimits(maxRecordBytes, value, maxObjects, maxIdLength);
    }

    /** These limits with another {@link #maxObjects()}. */
    public ImageLimits withMaxObjects(long value) {
        return new ImageLimits(maxRecordBytes, maxTotalBytes, value, maxIdLength);
    }

    /** These limits with another {@link #maxIdLength()}. */
    public ImageLimits withMaxIdLength(int value) {
        return new ImageLimits(maxRecordBytes, maxTotalBytes, maxObjects, value);
    }
}
