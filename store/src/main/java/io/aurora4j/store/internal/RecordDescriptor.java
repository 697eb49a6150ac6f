package io.aurora4j.store.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The on-disk format of a directory store: segment records and durable log records. All integers are
 * little-endian; strings are UTF-8.
 *
 * <h2>Files</h2>
 * <pre>
 *   LOCK                         held with a FileChannel lock while a store has the directory open (the
 *                                newest segment is locked too: deleting LOCK does not let a second store in)
 *   HIGHWATER                    the high-water mark (HighWaterMark): int32 magic 0x4D574841, int32 CRC32C
 *                                of the rest, int64 newest segment started, int64 newest checkpoint
 *                                acknowledged then; rewritten (aside, forced, renamed, directory forced)
 *                                after each new segment is made durable and at a clean close
 *   segment-0000000000000001.log append-only checkpoint records; named by the first checkpoint id written to it
 *   segment-0000000000000042.log ... (a checkpoint never spans two segments; a new segment starts at a
 *                                BEGIN once the current one reached segmentBytes)
 *   log-NAME.dat                 one durable log
 *   log-NAME.tmp                 a log being rewritten by a trim (deleted at open if a crash left it)
 *   FLOOR                        written (aside as FLOOR.tmp, forced, renamed, directory forced) before
 *                                compaction deletes segments: int32 magic 0x524C4641, int32 CRC32C of the
 *                                rest, int64 floor, int64 first segment kept. Segments older than that
 *                                one may still be present (deletions are oldest first, and with background
 *                                deletes a crash can leave several rounds' worth): they are dead, recovery
 *                                scans them and the next compaction deletes them. Recovery offers no checkpoint
 *                                older than the floor, reports corruption if the floor's checkpoint or the
 *                                first kept segment is missing, and accepts a checkpoint whose base is in
 *                                no segment only at the start of the first segment, at or before that one.
 * </pre>
 *
 * <h2>Segment record</h2>
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Payload length (int32)                      |
 *  +---------------------------------------------------------------+
 *  |              CRC32C of type and payload (int32)               |
 *  +---------------+-----------------------------------------------+
 *  |     Type      |  Payload                                     ...
 *  +---------------+-----------------------------------------------+
 * </pre>
 * Payloads by type ({@code str} is a uint16 byte length and UTF-8 bytes; "rest" runs to the end of the payload):
 * <pre>
 *   BEGIN         int64 checkpoint id, int64 base id (-1: full), int64 begin time (ms), int64 floor,
 *                 int32 label length (-1: none), label bytes
 *   OBJECT        str object id, int8 kind, int64 order id, int32 order seq, value (rest)
 *                 (order: the checkpoint and position where the object was first written; objects are
 *                 listed in that order)
 *   REMOVE_OBJECT str object id
 *   ENTRY         str object id, int32 key length, key, value (rest)
 *   REMOVE_ENTRY  str object id, key (rest)
 *   PAGE          str object id, int64 page index, page bytes (rest)
 *   COMMIT        int64 checkpoint id, int64 records since BEGIN (BEGIN included, COMMIT not),
 *                 int64 bytes from the start of BEGIN to the start of COMMIT, int64 commit time (ms)
 * </pre>
 * A checkpoint is BEGIN, its changes in write order, COMMIT; it is committed iff its COMMIT record is intact
 * and agrees with what precedes it.
 *
 * <h2>Relocated records (cleaning)</h2>
 * An incremental checkpoint may end, before its COMMIT, with <em>relocated</em> OBJECT, ENTRY and PAGE records:
 * byte-identical copies (length, CRC, type and payload; the CRC does not cover the position, so a copy checks
 * wherever it lands) of records the newest state still uses in the oldest segments, which it does not change
 * itself. Replaying one puts the value the state already has (an OBJECT copy carries the kind and first-write
 * order it had), so the format has no new record type and a reader of this format before cleaning reads a
 * cleaned log. They count in the COMMIT's records and bytes like any other record and die with their
 * checkpoint if its COMMIT does not reach the disk. Policy and amplification: {@link Cleaning}. The <em>floor</em> in BEGIN is the oldest checkpoint that stays restorable
 * once this one commits; recovery never offers anything older (compaction may have removed what it needs).
 *
 * <h2>Durable log</h2>
 * <pre>
 *   file header (16 bytes):  int32 magic 0x474C3441 ("A4LG"), int32 CRC32C of the base, int64 base number
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Payload length (int32)                      |
 *  +---------------------------------------------------------------+
 *  |             CRC32C of number and payload (int32)              |
 *  +---------------------------------------------------------------+
 *  |                     Record number (int64)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  Payload                                                     ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Records are numbered consecutively from the base. Stateless constants and helpers; thread-safe.
 */
final class RecordDescriptor {
    /** Offset of the payload length. */
    static final int LENGTH_OFFSET = 0;
    /** Offset of the checksum. */
    static final int CRC_OFFSET = 4;
    /** Offset of the type byte. */
    static final int TYPE_OFFSET = 8;
    /** Bytes before the payload of a segment record. */
    static final int HEADER_LENGTH = 9;

    static final byte BEGIN = 1;
    static final byte OBJECT = 2;
    static final byte REMOVE_OBJECT = 3;
    static final byte ENTRY = 4;
    static final byte REMOVE_ENTRY = 5;
    static final byte PAGE = 6;
    static final byte COMMIT = 7;

    /** Longest payload of any record: 256 MiB. A longer length field is corruption, never an allocation. */
    static final int MAX_PAYLOAD = 1 << 28;
    /** Longest label, in UTF-8 bytes. */
    static final int MAX_LABEL = 0xFFFF;
    /** Fixed part of a BEGIN payload. */
    static final int BEGIN_FIXED = 8 + 8 + 8 + 8 + 4;
    /** Length of a COMMIT payload. */
    static final int COMMIT_LENGTH = 8 + 8 + 8 + 8;

    /** Bytes of the durable log's file header. */
    static final int LOG_FILE_HEADER = 16;
    /** The durable log's magic number, "A4LG". */
    static final int LOG_MAGIC = 0x474C3441;
    /** Offset of the record number in a log record. */
    static final int LOG_NUMBER_OFFSET = 8;
    /** Bytes before the payload of a log record. */
    static final int LOG_HEADER_LENGTH = 16;

    private RecordDescriptor() {
    }

    static boolean isValidType(byte type) {
        return type >= BEGIN && type <= COMMIT;
    }

    static String typeName(byte type) {
        return switch (type) {
            case BEGIN -> "BEGIN";
            case OBJECT -> "OBJECT";
            case REMOVE_OBJECT -> "REMOVE_OBJECT";
            case ENTRY -> "ENTRY";
            case REMOVE_ENTRY -> "REMOVE_ENTRY";
            case PAGE -> "PAGE";
            case COMMIT -> "COMMIT";
            default -> "unknown type " + type;
        };
    }

    /** CRC32C of {@code length} bytes of {@code array} from {@code offset}. */
    static int crc(byte[] array, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(array, offset, length);
        return (int) crc.getValue();
    }

    static ByteBuffer littleEndian(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }
}
