package io.aurora4j.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Shared test fixtures: events, recording and blocking listeners, deadlines. */
final class Fixtures {
    /** Every wait in these tests has this deadline; none is a timing assertion. */
    static final long DEADLINE_SECONDS = 20;
    static final Duration DEADLINE = Duration.ofSeconds(DEADLINE_SECONDS);

    private Fixtures() {
    }

    record Cp(long id, Optional<String> label, String groupName) implements CheckpointInfo {
    }

    static final Cp CHECKPOINT = new Cp(7, Optional.of("before-batch"), "bank");

    static RollbackEvent event(long sequence) {
        return RollbackEvent.builder("bank", sequence, CHECKPOINT, new IllegalStateException("boom " + sequence))
                .build();
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("deadline passed waiting for " + what);
        }
    }

    static List<Long> range(long fromInclusive, long toInclusive) {
        List<Long> r = new ArrayList<>();
        for (long i = fromInclusive; i <= toInclusive; i++) {
            r.add(i);
        }
        return r;
    }

    /** Records the sequences it receives and the most calls it ever saw running at once. */
    static class Recorder implements RollbackListener {
        final Queue<Long> received = new ConcurrentLinkedQueue<>();
        final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        @Override
        public final void onRollback(RollbackEvent event) throws Exception {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                received.add(event.sequence());
                threads.add(Thread.currentThread());
                work(event);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        /** What the listener does after recording; nothing by default. */
        void work(RollbackEvent event) throws Exception {
        }

        List<Long> sequences() {
            return new ArrayList<>(received);
        }
    }

    /** Records, and blocks in the delivery of one sequence until released. */
    static final class Blocker extends Recorder {
        final long blockOn;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);

        Blocker(long blockOn) {
            this.blockOn = blockOn;
        }

        @Override
        void work(RollbackEvent event) throws Exception {
            if (event.sequence() == blockOn) {
                entered.countDown();
                await(release, "the test to release the listener");
                finished.countDown();
            }
        }
    }

    /** One report to a {@link ListenerErrorHandler}. */
    record Report(RollbackListener listener, RollbackEvent event, Throwable error) {
    }

    /** An error handler that records its reports. */
    static final class Reports implements ListenerErrorHandler {
        final Queue<Report> reports = new ConcurrentLinkedQueue<>();

        @Override
        public void onListenerError(RollbackListener listener, RollbackEvent event, Throwable error) {
            reports.add(new Report(listener, event, error));
        }

        List<Report> list() {
            return new ArrayList<>(reports);
        }
    }

    /**
     * Captures what the notifier logs through System.Logger (backed by java.util.logging when no
     * other LoggerFinder is installed, as in these tests).
     */
    static final class CapturedLog extends Handler implements AutoCloseable {
        final Queue<LogRecord> records = new ConcurrentLinkedQueue<>();
        private final Logger logger = Logger.getLogger(RollbackNotifier.class.getName());
        private final boolean parentHandlers;

        CapturedLog() {
            parentHandlers = logger.getUseParentHandlers();
            logger.setUseParentHandlers(false); // keep expected warnings out of the build output
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setUseParentHandlers(parentHandlers);
        }

        List<LogRecord> list() {
            return new ArrayList<>(records);
        }
    }
}
