package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.Images;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Hand-made checkpoint images: well-framed (lengths, CRCs, trailer right) but with whatever content a test wants. */
final class CraftedImages {
    static final byte GROUP = ObjectFormat.KIND_GROUP;
    static final byte LONG = ObjectFormat.KIND_LONG;
    static final byte REF = ObjectFormat.KIND_REF;
    static final byte MAP = ObjectFormat.KIND_MAP;
    static final byte REGION = ObjectFormat.KIND_REGION;
    static final String GROUP_ID = ObjectFormat.GROUP_META_ID;

    private CraftedImages() {
    }

    /** A full image of checkpoint {@code id} holding the group object of {@code name}, then what {@code body} writes. */
    static byte[] full(long id, String name, Consumer<CheckpointWriter> body) {
        return image(id, -1, w -> {
            w.putObject(GROUP_ID, GROUP, name.getBytes(StandardCharsets.UTF_8));
            body.accept(w);
        });
    }

    /** An image of checkpoint {@code id} over {@code base} (-1: full) holding exactly what {@code body} writes. */
    static byte[] image(long id, long base, Consumer<CheckpointWriter> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CheckpointWriter w = Images.writer(out, id, base, null)) {
            body.accept(w);
            w.commit();
        }
        return out.toByteArray();
    }

    static byte[] longValue(long v) {
        return ObjectFormat.longBytes(v);
    }

    static byte[] encoded(Object v) {
        return Codecs.defaults().encode(v);
    }

    static byte[] regionMeta(long capacity, long pageSize) {
        byte[] b = new byte[16];
        UnsafeBuffer u = new UnsafeBuffer(b);
        u.putLong(0, capacity, java.nio.ByteOrder.BIG_ENDIAN);
        u.putLong(8, pageSize, java.nio.ByteOrder.BIG_ENDIAN);
        return b;
    }

    static void page(CheckpointWriter w, String id, long index, int length, byte fill) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, fill);
        w.putPage(id, index, new UnsafeBuffer(bytes), 0, length);
    }

    /**
     * Bytes this thread allocated on the heap while {@code r} ran: HotSpot's per-thread counter
     * ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}), reached reflectively because the test
     * runs inside this module, which does not read {@code jdk.management}.
     */
    static long allocatedBy(Runnable r) {
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

    /** Direct (off-heap) memory in use by NIO buffers of this JVM: the "direct" {@code BufferPoolMXBean}, reflectively. */
    static long directBytes() {
        try {
            Class<?> pool = Class.forName("java.lang.management.BufferPoolMXBean");
            java.util.List<?> beans = (java.util.List<?>) Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getPlatformMXBeans", Class.class).invoke(null, pool);
            for (Object b : beans) {
                if ("direct".equals(pool.getMethod("getName").invoke(b))) {
                    return (long) pool.getMethod("getMemoryUsed").invoke(b);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JVM has no buffer pool bean", e);
        }
        throw new IllegalStateException("no direct buffer pool bean");
    }
}
