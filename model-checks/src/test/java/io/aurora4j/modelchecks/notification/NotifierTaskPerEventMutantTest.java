package io.aurora4j.modelchecks.notification;

import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Mutant: a naive notifier that hands each (event, listener) pair to the pool as its own task, with no
 * per-listener mailbox. Its sequence check and registration are right; only the delivery order is not.
 * Two pool threads can then run one listener's events out of order or at the same time, and the model
 * checker must find it.
 */
public class NotifierTaskPerEventMutantTest extends NotifierDeliveryLincheckTest {

    @Override
    protected Notifier newNotifier(TaskQueue pool) {
        return new Naive(pool);
    }

    @Operation
    public void runTask() {
        pool.runOne();
    }

    @Override
    protected void runPending(BooleanSupplier everyEventReachedEarly) {
        pool.runAll();
    }

    @Override
    protected void await(CompletableFuture<Void> delivered) {
        pool.runAll();
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }

    private static final class Naive implements Notifier {
        private final Executor pool;
        private final List<RollbackListener> listeners = new CopyOnWriteArrayList<>();
        private final ReentrantLock lock = new ReentrantLock();
        private long last;

        Naive(Executor pool) {
            this.pool = pool;
        }

        @Override
        public Registration register(RollbackListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public void publish(RollbackEvent event) {
            lock.lock();
            try {
                if (event.sequence() <= last) {
                    throw new IllegalArgumentException(event.sequence() + " <= " + last);
                }
                last = event.sequence();
                for (RollbackListener l : listeners) {
                    pool.execute(() -> {
                        try {
                            l.onRollback(event);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public CompletableFuture<Void> delivered() {
            return CompletableFuture.completedFuture(null);
        }
    }
}
