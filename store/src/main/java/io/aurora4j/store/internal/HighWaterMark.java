package io.aurora4j.store.internal;

import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreIO;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The store's high-water mark, the file {@code HIGHWATER}: the newest segment the store has started and the
 * newest checkpoint it had acknowledged at that time. It lives outside the segments so that losing the end
 * of the segments — the newest segment deleted, the store cut back across a segment boundary, a segment
 * renamed or copied in above the newest — can be told from a crash at open. Rewritten when a segment is
 * started (never per checkpoint: a checkpoint's cost stays one fsync) and at a clean close.
 *
 * <pre>
 *   0                   4                   8                                  16                     24
 *   +-------------------+-------------------+----------------------------------+----------------------+
 *   | magic "AHWM"      | CRC32C of 8..24   | newest segment's first id (-1)   | acknowledged id (-1) |
 *   +-------------------+-------------------+----------------------------------+----------------------+
 * </pre>
 * Little-endian. Written aside ({@code HIGHWATER.tmp}), forced, renamed over; the caller forces the directory.
 * Not thread-safe: the store calls it under its lock, or at open and close.
 */
final class HighWaterMark {
    static final String FILE = "HIGHWATER";
    private static final int LENGTH = 24;
    private static final int MAGIC = 0x4D574841; // "AHWM"

    /** What the mark says: the newest segment started (-1: none) and the newest acknowledged checkpoint then (-1: none). */
    record Mark(long newestSegment, long acknowledged) {
        static final Mark NONE = new Mark(-1, -1);
    }

    private HighWaterMark() {
    }

    /** Reads the mark; {@link Mark#NONE} and {@code present == false} when there is no file. */
    static Mark read(StoreIO io, Path directory) throws IOException {
        Path tmp = directory.resolve(FILE + ".tmp");
        if (io.exists(tmp)) {
            io.delete(tmp); // a crash while writing it: the old mark (or none) still holds
        }
        Path p = directory.resolve(FILE);
        if (!io.exists(p)) {
            return null;
        }
        try (StoreIO.FileHandle h = io.open(p, false)) {
            if (h.size() != LENGTH) {
                throw new StoreCorruptedException(p, 0, "the high-water mark has " + h.size() + " bytes, not " + LENGTH);
            }
            ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            DirectoryStore.readFully(h, b, 0);
            long segment = b.getLong(8);
            long acknowledged = b.getLong(16);
            if (b.getInt(0) != MAGIC || b.getInt(4) != RecordDescriptor.crc(b.array(), 8, 16) || segment < -1
                    || acknowledged < -1) {
                throw new StoreCorruptedException(p, 0, "the high-water mark does not check");
            }
            return new Mark(segment, acknowledged);
        }
    }

    /** Writes {@code mark} aside, forces it and renames it over the old one; the caller forces the directory. */
    static void write(StoreIO io, Path directory, Mark mark) throws IOException {
        Path tmp = directory.resolve(FILE + ".tmp");
        try (StoreIO.FileHandle h = io.open(tmp, true)) {
            ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(MAGIC).putInt(0).putLong(mark.newestSegment()).putLong(mark.acknowledged());
            b.putInt(4, RecordDescriptor.crc(b.array(), 8, 16));
            b.flip();
            h.write(b, 0);
            h.truncate(LENGTH);
            h.force();
        }
        io.rename(tmp, directory.resolve(FILE));
    }
}
