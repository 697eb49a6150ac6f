package io.aurora4j.store.internal.image;

/**
 * The layout of a checkpoint image: what {@code group.send(cp, out)} writes and {@code Group.receive(in)} reads.
 * All integers are big-endian (network order); CRCs are CRC32C.
 *
 * <pre>
 * image   = prefix, header record, { object record }, trailer record
 *
 * prefix (12 bytes)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------------+
 *  |     0x89      |      'A'      |      '4'      |      'J'      |
 *  +---------------+---------------+---------------+---------------+
 *  |      'I'      |      'M'      |      'G'      |     0x0A      |
 *  +---------------+---------------+---------------+---------------+
 *  |                     format version (1)                        |
 *  +---------------------------------------------------------------+
 *
 * record (9 + n bytes)
 *  +---------------------------------------------------------------+
 *  |            payload length n (0 .. ImageLimits.maxRecordBytes) |
 *  +---------------------------------------------------------------+
 *  |      CRC32C of the length field, the type and the payload     |
 *  +---------------+-----------------------------------------------+
 *  |     type      |                 payload (n bytes)            ...
 *  +---------------+-----------------------------------------------+
 *
 * payloads                                 id  = int32 length (0 .. maxIdLength), UTF-8
 *   0x01 HEADER        int64 checkpoint id, int64 base id (-1: full), int32 label length (-1: none), UTF-8 label
 *   0x02 PUT_OBJECT    id, int8 kind, int32 length, value bytes
 *   0x03 REMOVE_OBJECT id
 *   0x04 PUT_ENTRY     id, int32 key length, key bytes, int32 value length, value bytes
 *   0x05 REMOVE_ENTRY  id, int32 key length, key bytes
 *   0x06 PUT_PAGE      id, int64 page index, int32 length, page bytes
 *   0x7F TRAILER       int64 records before the trailer (header included),
 *                      int64 bytes before the trailer (prefix included),
 *                      int32 CRC32C of all those bytes
 * </pre>
 *
 * A payload must be consumed exactly. The header is the first record and appears once; the trailer is the last,
 * and the reader reads nothing after it (so images can follow each other on one stream). An image without a
 * trailer was truncated or aborted by its sender and is never committed.
 */
public final class ImageDescriptor {
    /** The 8 magic bytes: a high byte first (catches 7-bit transports), then "A4JIMG", then a line feed. */
    public static final byte[] MAGIC = {(byte) 0x89, 'A', '4', 'J', 'I', 'M', 'G', 0x0A};
    /** The format version this library writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of the prefix: magic and version. */
    public static final int PREFIX_LENGTH = MAGIC.length + 4;

    /** Offset of the payload length in a record. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the record CRC. */
    public static final int CRC_OFFSET = 4;
    /** Offset of the record type. */
    public static final int TYPE_OFFSET = 8;
    /** Bytes of a record before its payload. */
    public static final int RECORD_HEADER_LENGTH = 9;

    /** Record types. */
    public static final byte HEADER = 0x01;
    /** Record type: {@code putObject}. */
    public static final byte PUT_OBJECT = 0x02;
    /** Record type: {@code removeObject}. */
    public static final byte REMOVE_OBJECT = 0x03;
    /** Record type: {@code putEntry}. */
    public static final byte PUT_ENTRY = 0x04;
    /** Record type: {@code removeEntry}. */
    public static final byte REMOVE_ENTRY = 0x05;
    /** Record type: {@code putPage}. */
    public static final byte PUT_PAGE = 0x06;
    /** Record type: the trailer. */
    public static final byte TRAILER = 0x7F;

    /** Payload bytes of the trailer. */
    public static final int TRAILER_PAYLOAD_LENGTH = 8 + 8 + 4;

    private ImageDescriptor() {
    }

    /** A name for a record type, for messages. */
    public static String typeName(int type) {
        return switch (type) {
            case HEADER -> "header";
            case PUT_OBJECT -> "putObject";
            case REMOVE_OBJECT -> "removeObject";
            case PUT_ENTRY -> "putEntry";
            case REMOVE_ENTRY -> "removeEntry";
            case PUT_PAGE -> "putPage";
            case TRAILER -> "trailer";
            default -> "unknown type 0x" + Integer.toHexString(type & 0xFF);
        };
    }
}
