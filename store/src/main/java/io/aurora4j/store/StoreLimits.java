package io.aurora4j.store;

/**
 * The sizes every store and every image can hold, in one place, so that a group can reject at the call that
 * creates an object or writes a value what it could not later write to a store, send, or receive with
 * {@link ImageLimits#defaults() the default receive limits}.
 *
 * <p>The binding limit is the image format's default record limit ({@link ImageLimits#maxRecordBytes()}, 64 MiB):
 * a directory store's records may be larger (256 MiB), but a checkpoint that a store holds must also be sendable to
 * a receiver with default limits. A record carries an object id, and an entry's key and value, or an object's value,
 * or a page, plus at most {@link #RECORD_OVERHEAD} bytes of fixed fields in either format. Hence:
 * <table class="striped">
 *   <caption>Limits and how they follow from the formats</caption>
 *   <tr><th>what</th><th>limit</th><th>why</th></tr>
 *   <tr><td>object id, checkpoint label</td><td>{@link #MAX_ID_BYTES} UTF-8 bytes</td><td>a store record holds it with a 16-bit length; {@link ImageLimits#maxIdLength()} defaults to the same</td></tr>
 *   <tr><td>id + key + value (or page) of one record</td><td>{@link #MAX_RECORD_BYTES} minus {@link #RECORD_OVERHEAD}</td><td>{@link ImageLimits#maxRecordBytes()}'s default</td></tr>
 *   <tr><td>region page size</td><td>{@link #MAX_PAGE_SIZE}</td><td>the largest power of two whose page record fits with an id of {@link #MAX_ID_BYTES}</td></tr>
 * </table>
 *
 * <p>Stateless; thread-safe.
 */
public final class StoreLimits {
    /** The longest object id, and checkpoint label, in UTF-8 bytes: 65535. */
    public static final int MAX_ID_BYTES = ImageLimits.defaults().maxIdLength();
    /** The largest record payload that a store writes and a receiver with default limits reads: 64 MiB. */
    public static final int MAX_RECORD_BYTES = ImageLimits.defaults().maxRecordBytes();
    /**
     * The most bytes a record adds to its id, key, value or page, in the store's format or the image's (an image's
     * page record: a 4-byte id length, an 8-byte page index, a 4-byte page length): 16.
     */
    public static final int RECORD_OVERHEAD = 16;
    /** The largest region page: 32 MiB. */
    public static final int MAX_PAGE_SIZE = Integer.highestOneBit(MAX_RECORD_BYTES - RECORD_OVERHEAD - MAX_ID_BYTES);

    private StoreLimits() {
    }

    /**
     * The most bytes of key and value (an entry), of value (an object) or of page one record can carry for an object
     * whose id is {@code idBytes} UTF-8 bytes long.
     *
     * @throws IllegalArgumentException if {@code idBytes} is negative or above {@link #MAX_ID_BYTES}
     */
    public static int maxDataBytes(int idBytes) {
        if (idBytes < 0 || idBytes > MAX_ID_BYTES) {
            throw new IllegalArgumentException("an id is 0 to " + MAX_ID_BYTES + " UTF-8 bytes, was " + idBytes);
        }
        return MAX_RECORD_BYTES - RECORD_OVERHEAD - idBytes;
    }
}
