package io.aurora4j.store;

/**
 * Bounds on a received image, which is untrusted input: every length it declares is checked against these
 * before anything is allocated or written for it. Exceeding one is an {@link ImageLimitException}.
 *
 * @param maxRecordBytes the largest record payload: a page, an object's value, an entry (default 64 MiB)
 * @param maxTotalBytes  the largest image (default 64 GiB)
 * @param maxObjects     the most {@code putObject} records an image may hold (default 16 Mi)
 * @param maxIdLength    the longest object id, and label, in UTF-8 bytes (default 65535, the longest id a store accepts)
 * @param maxRegionPages the most pages the regions an image declares may span together (each region's capacity
 *                       over its page size, rounded up; default 2^28, e.g. one 1 TiB region of 4 KiB pages). A
 *                       receiver builds a page table for each region it receives, about 8 bytes per 512 pages
 *                       spanned whether or not the image carries them: this bounds that memory (4 MiB by default).
 *                       Checked by whoever builds regions from an image ({@code Group.receive}); {@link Images}
 *                       itself knows no regions.
 */
public record ImageLimits(int maxRecordBytes, long maxTotalBytes, long maxObjects, int maxIdLength, long maxRegionPages) {
    private static final ImageLimits DEFAULTS = new ImageLimits(64 << 20, 64L << 30, 16L << 20, 0xFFFF, 1L << 28);

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
        requirePositive(maxRegionPages, "maxRegionPages");
    }

    /**
     * The first four bounds, and the default {@link #maxRegionPages()}.
     *
     * @throws IllegalArgumentException if a bound is not positive
     */
    public ImageLimits(int maxRecordBytes, long maxTotalBytes, long maxObjects, int maxIdLength) {
        this(maxRecordBytes, maxTotalBytes, maxObjects, maxIdLength, 1L << 28);
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** 64 MiB per record, 64 GiB per image, 16 Mi objects, ids and label of at most 65535 bytes, regions of 2^28 pages in all. */
    public static ImageLimits defaults() {
        return DEFAULTS;
    }

    /** These limits with another {@link #maxRecordBytes()}. */
    public ImageLimits withMaxRecordBytes(int value) {
        return new ImageLimits(value, maxTotalBytes, maxObjects, maxIdLength, maxRegionPages);
    }

    /** These limits with another {@link #maxTotalBytes()}. */
    public ImageLimits withMaxTotalBytes(long value) {
        return new ImageLimits(maxRecordBytes, value, maxObjects, maxIdLength, maxRegionPages);
    }

    /** These limits with another {@link #maxObjects()}. */
    public ImageLimits withMaxObjects(long value) {
        return new ImageLimits(maxRecordBytes, maxTotalBytes, value, maxIdLength, maxRegionPages);
    }

    /** These limits with another {@link #maxIdLength()}. */
    public ImageLimits withMaxIdLength(int value) {
        return new ImageLimits(maxRecordBytes, maxTotalBytes, maxObjects, value, maxRegionPages);
    }

    /** These limits with another {@link #maxRegionPages()}. */
    public ImageLimits withMaxRegionPages(long value) {
        return new ImageLimits(maxRecordBytes, maxTotalBytes, maxObjects, maxIdLength, value);
    }
}
