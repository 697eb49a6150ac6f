package io.aurora4j.store;

/**
 * A received image exceeds one of its {@link ImageLimits}. It is rejected like a corrupt one: nothing of it is
 * committed.
 */
public class ImageLimitException extends StoreCorruptedException {
    private static final long serialVersionUID = 1L;
    private final String limit;

    /** {@code limit} (e.g. {@code maxRecordBytes}) was exceeded at {@code offset} of the image stream. */
    public ImageLimitException(long offset, String limit, String what) {
        super(null, offset, what + " exceeds ImageLimits." + limit);
        this.limit = limit;
    }

    /** The name of the exceeded limit: {@code maxRecordBytes}, {@code maxTotalBytes}, {@code maxObjects} or {@code maxIdLength}. */
    public String limit() {
        return limit;
    }
}
