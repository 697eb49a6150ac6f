package io.aurora4j.store;

/**
 * A received image exceeds one of its {@link ImageLimits}. It is rejected like a corrupt one: nothing of it is
 * committed.
 */
public class ImageLimitException extends StoreCorruptedException {
    private static final long serialVersionUID = 1L;
    private final String limit;
    private final String what;

    /**
     * {@code limit} (e.g. {@code maxRecordBytes}) was exceeded at {@code offset} of the image stream, or at an
     * offset not known yet ({@code -1}: a target writer that checks a limit; the reader then rethrows it
     * {@linkplain #at located}).
     */
    public ImageLimitException(long offset, String limit, String what) {
        super(null, offset, what + " exceeds ImageLimits." + limit);
        this.limit = limit;
        this.what = what;
    }

    /**
     * The name of the exceeded limit: {@code maxRecordBytes}, {@code maxTotalBytes}, {@code maxObjects},
     * {@code maxIdLength} or {@code maxRegionPages}.
     */
    public String limit() {
        return limit;
    }

    /** The same limit exceeded by the same thing, at {@code offset} of the stream; this exception is its cause. */
    public ImageLimitException at(long offset) {
        ImageLimitException located = new ImageLimitException(offset, limit, what);
        located.initCause(this);
        return located;
    }
}
