package io.aurora4j.store.testing;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;

/**
 * Measures what one call costs the calling thread in heap allocation ({@code ThreadMXBean#getThreadAllocatedBytes}
 * of the current thread: every byte allocated, including garbage, excluding other threads) and in direct memory
 * still held after it (the JVM's {@code direct} buffer pool: off-heap pages a call pinned). Used by the fuzz
 * targets and the allocation regression tests to assert that reading foreign bytes costs at most a small multiple
 * of their size. Thread-safe (it keeps no state).
 */
public final class AllocationMeter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();
    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
            .stream().filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();

    private AllocationMeter() {
    }

    /** A call measured by {@link #measure}. */
    @FunctionalInterface
    public interface Call {
        /** The call; any exception propagates after the measurement is recorded in {@link Cost}. */
        void run() throws Exception;
    }

    /**
     * What a call cost.
     *
     * @param heapBytes   bytes the calling thread allocated on the heap during the call
     * @param directBytes growth of the direct buffer pool across the call (memory it left pinned), 0 if it shrank
     * @param nanos       wall-clock time of the call
     * @param thrown      what the call threw, or null
     * @param classesLoaded classes loaded (or hidden classes spun, for lambdas and string concatenation) during
     *                    the call: their loading, and a fuzzer's instrumentation of them, is charged to the thread
     */
    public record Cost(long heapBytes, long directBytes, long nanos, Throwable thrown, long classesLoaded) {
    }

    /** Runs {@code call} on this thread and returns its cost; what it throws is returned in {@link Cost#thrown}. */
    public static Cost measure(Call call) {
        long tid = Thread.currentThread().threadId();
        long classes = CLASSES.getTotalLoadedClassCount();
        long direct = DIRECT.getMemoryUsed();
        long heap = THREADS.getThreadAllocatedBytes(tid);
        long start = System.nanoTime();
        Throwable thrown = null;
        try {
            call.run();
        } catch (Throwable t) {
            thrown = t;
        }
        long nanos = System.nanoTime() - start;
        long heapBytes = THREADS.getThreadAllocatedBytes(tid) - heap;
        long directBytes = Math.max(0, DIRECT.getMemoryUsed() - direct);
        return new Cost(heapBytes, directBytes, nanos, thrown, CLASSES.getTotalLoadedClassCount() - classes);
    }
}
