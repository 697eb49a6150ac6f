package io.aurora4j.txn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Deadlines and coordination for the concurrency tests: every wait is bounded, every thread is a daemon
 * (a hung test cannot keep the JVM alive), and a failure on any thread is rethrown on the test thread.
 * Nothing here sleeps to synchronize: threads meet at barriers and latches, or poll a condition that
 * another thread makes true.
 */
final class Concurrently {
    /** Generous: the machines running the suite may be loaded; a healthy test finishes far sooner. */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private Concurrently() {
    }

    @FunctionalInterface
    interface Task {
        void run(int index) throws Exception;
    }

    /** Starts {@code task} on a new daemon platform thread. */
    static <T> Future<T> start(String name, Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        Thread t = new Thread(f, name);
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Starts {@code task} on a new daemon platform thread. */
    static Future<Void> start(String name, Task task) {
        return start(name, () -> {
            task.run(0);
            return null;
        });
    }

    /**
     * Runs {@code task} on {@code threads} new threads that start together (behind a barrier) and waits for
     * all of them within the deadline, rethrowing the first failure.
     */
    static void run(int threads, Task task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<Void>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int index = i;
            futures.add(start("worker-" + i, () -> {
                await(start);
                task.run(index);
                return null;
            }));
        }
        joinAll(futures);
    }

    /** Waits for every future within the deadline; rethrows the first failure (unwrapped). */
    static void joinAll(List<? extends Future<?>> futures) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Throwable first = null;
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause();
                }
            } catch (TimeoutException e) {
                for (Future<?> g : futures) {
                    g.cancel(true);
                }
                fail("a thread did not finish within " + DEADLINE + " (deadlock or livelock?)");
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }

    /** The future's result within the deadline; a failure is rethrown unwrapped. */
    static <T> T join(Future<T> f) throws Exception {
        try {
            return f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        } catch (TimeoutException e) {
            f.cancel(true);
            return fail("a thread did not finish within " + DEADLINE + " (deadlock or livelock?)");
        }
    }

    /**
     * Runs {@code action} on another thread and waits for it, within the deadline: for a body that must
     * see another thread commit in the middle of it. Unchecked failures propagate unchanged.
     */
    static void onOtherThread(Runnable action) {
        try {
            join(start("other", i -> action.run()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("a latch was not released within " + DEADLINE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new AssertionError("threads did not meet at a barrier within " + DEADLINE, e);
        }
    }

    /** Polls until {@code condition} holds (yielding between polls), failing after the deadline. */
    static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not reached within " + DEADLINE + ": " + what);
            }
            Thread.yield();
        }
    }
}
