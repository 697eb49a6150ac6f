package io.aurora4j.store.internal;

import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreIO;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.aurora4j.store.internal.RecordDescriptor.littleEndian;

/**
 * One job: the {@code FLOOR} file, the durable record of the floor compaction deleted segments under and of the first
 * segment it kept (magic, CRC32C, floor, first segment: 24 bytes little-endian), written aside and renamed into place.
 * Read by {@link Recovery} at open, written by {@link Compaction} before the first deletion under a new floor.
 */
final class FloorFile {
    static final String FLOOR = "FLOOR";
    private static final int FLOOR_LENGTH = 24;
    private static final int FLOOR_MAGIC = 0x524C4641; // "AFLR"

    private FloorFile() {
    }

    /** {floor, first kept segment} recorded before segments were last deleted, or {-1, -1}. */
    static long[] read(StoreIO io, Path directory) throws IOException {
        Path tmp = directory.resolve(FLOOR + ".tmp");
        if (io.exists(tmp)) {
            io.delete(tmp); // a crash while writing it: the old FLOOR (or none) still holds
        }
        Path p = directory.resolve(FLOOR);
        if (!io.exists(p)) {
            return new long[]{-1, -1};
        }
        try (StoreIO.FileHandle h = io.open(p, false)) {
            ByteBuffer b = littleEndian(ByteBuffer.allocate(FLOOR_LENGTH));
            if (h.size() != FLOOR_LENGTH) {
                throw new StoreCorruptedException(p, 0, "the floor file has " + h.size() + " bytes, not " + FLOOR_LENGTH);
            }
            DirectoryStore.readFully(h, b, 0);
            long floor = b.getLong(8);
            long firstSegment = b.getLong(16);
            if (b.getInt(0) != FLOOR_MAGIC || b.getInt(4) != RecordDescriptor.crc(b.array(), 8, 16) || floor < 0
                    || firstSegment < 0) {
                throw new StoreCorruptedException(p, 0, "the floor file does not check");
            }
            return new long[]{floor, firstSegment};
        }
    }

    /**
     * Makes {@code floor} and the first segment compaction keeps durable in the FLOOR file (write aside,
     * force, rename, force the directory).
     */
    static void write(StoreIO io, Path directory, long floor, long firstSegment) throws IOException {
        Path tmp = directory.resolve(FLOOR + ".tmp");
        try (StoreIO.FileHandle h = io.open(tmp, true)) {
            ByteBuffer b = littleEndian(ByteBuffer.allocate(FLOOR_LENGTH));
            b.putInt(FLOOR_MAGIC).putInt(0).putLong(floor).putLong(firstSegment);
            b.putInt(4, RecordDescriptor.crc(b.array(), 8, 16));
            b.flip();
            h.write(b, 0);
            h.truncate(FLOOR_LENGTH);
            h.force();
        }
        io.rename(tmp, directory.resolve(FLOOR));
        io.forceDirectory(directory);
    }
}
