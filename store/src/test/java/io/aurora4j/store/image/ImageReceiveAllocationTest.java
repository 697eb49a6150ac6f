package io.aurora4j.store.image;

import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.internal.image.ImageDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10 (item 5): a receiver allocates for a record as its bytes arrive, not as its header declares. A 21-byte
 * image claiming a 64 MiB record used to make the reader allocate 64 MiB before reading a byte of it (32 slow
 * senders at once: an OutOfMemoryError at -Xmx512m).
 */
@Timeout(30)
class ImageReceiveAllocationTest {
    private static final long MIB = 1 << 20;

    /** The prefix and one record header declaring {@code length} payload bytes, with nothing after it. */
    private static byte[] claiming(int length) {
        ByteBuffer b = ByteBuffer.allocate(ImageDescriptor.PREFIX_LENGTH + ImageDescriptor.RECORD_HEADER_LENGTH);
        b.put(ImageDescriptor.MAGIC).putInt(ImageDescriptor.VERSION);
        b.putInt(length).putInt(0).put(ImageDescriptor.HEADER);
        return b.array();
    }

    /**
     * Bytes this thread allocated on the heap while {@code r} ran: HotSpot's per-thread counter
     * ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}), reached reflectively because the test
     * runs inside this module, which does not read {@code jdk.management}.
     */
    private static long allocatedBy(Runnable r) {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            java.lang.reflect.Method counter = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getThreadAllocatedBytes", long.class);
            long tid = Thread.currentThread().threadId();
            long before = (long) counter.invoke(mx, tid);
            r.run();
            return (long) counter.invoke(mx, tid) - before;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JVM has no per-thread allocation counter", e);
        }
    }

    @Test
    void aDeclaredRecordLengthAllocatesNothingBeforeItsBytesArrive() {
        byte[] image = claiming(ImageLimits.defaults().maxRecordBytes());
        assertTrue(image.length == 21);
        long bytes = allocatedBy(() -> assertThrows(StoreCorruptedException.class,
                () -> Images.read(new ByteArrayInputStream(image), ImageLimits.defaults(), h -> {
                    throw new AssertionError("no header can be read");
                })));
        System.out.println("receive figure: a 21-byte image claiming a 64 MiB record: " + bytes + " bytes of heap allocated");
        assertTrue(bytes < MIB, "a 21-byte image claiming a 64 MiB record made the reader allocate " + bytes + " bytes");
    }

    @Test
    void allocationFollowsTheBytesThatArrived() {
        // 3 MiB of a declared 64 MiB record arrive, then the sender stops: the reader holds about what arrived
        byte[] head = claiming(ImageLimits.defaults().maxRecordBytes());
        InputStream in = new java.io.SequenceInputStream(new ByteArrayInputStream(head), new ByteArrayInputStream(new byte[3 << 20]));
        long bytes = allocatedBy(() -> assertThrows(StoreCorruptedException.class,
                () -> Images.read(in, ImageLimits.defaults(), h -> {
                    throw new AssertionError("no header can be read");
                })));
        System.out.println("receive figure: 3 MiB of a record claiming 64 MiB: " + bytes + " bytes of heap allocated");
        assertTrue(bytes < 12 * MIB, "3 MiB that arrived made the reader allocate " + bytes + " bytes");
    }

    @Test
    void aLargeRecordThatArrivesWholeIsStillRead() {
        // a header record padded to 5 MiB of label (within a raised id limit) crosses many chunks and is read right
        byte[] label = new byte[5 << 20];
        java.util.Arrays.fill(label, (byte) 'a');
        ByteBuffer payload = ByteBuffer.allocate(8 + 8 + 4 + label.length);
        payload.putLong(3).putLong(-1).putInt(label.length).put(label);
        ByteBuffer rec = ByteBuffer.allocate(ImageDescriptor.RECORD_HEADER_LENGTH + payload.capacity());
        CRC32C crc = new CRC32C();
        byte[] len = ByteBuffer.allocate(4).putInt(payload.capacity()).array();
        crc.update(len);
        crc.update(new byte[] {ImageDescriptor.HEADER});
        crc.update(payload.array());
        rec.put(len).putInt((int) crc.getValue()).put(ImageDescriptor.HEADER).put(payload.array());
        ByteBuffer prefix = ByteBuffer.allocate(ImageDescriptor.PREFIX_LENGTH).put(ImageDescriptor.MAGIC).putInt(ImageDescriptor.VERSION);
        InputStream in = new java.io.SequenceInputStream(new ByteArrayInputStream(prefix.array()), new ByteArrayInputStream(rec.array()));
        String[] seen = new String[1];
        // no trailer follows: the header was read whole (seen), then the image ends
        assertThrows(StoreCorruptedException.class, () -> Images.read(in, ImageLimits.defaults().withMaxIdLength(6 << 20), h -> {
            seen[0] = h.label();
            return new RecordingTarget.Writer(h.checkpointId(), h.baseId(), h.label(), null);
        }));
        assertTrue(seen[0] != null && seen[0].length() == label.length);
    }
}
