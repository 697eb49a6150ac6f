package io.aurora4j.boundary;

import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One job: the release side of one {@link Boundary}, from its queue to its sink. It owns the queue the senders
 * offer to (single consumer), the held deque, the release task (at most one at a time), delivery with retries,
 * dead letters, flush markers, and the dropping of rolled-back outputs the group's rollback participant asks
 * for. The send side (room, staging, the send gate) stays in {@link Boundary}; this class gives room back
 * through {@link Boundary#settle} and never takes it.
 *
 * <p>The queue's single consumer is the release task, which moves entries from the queue to the held deque
 * and takes the releasable prefix, under a lock it shares only with the group's rollback participant (held for
 * a few list operations, never while calling the sink). {@link #signal} schedules the release task only when
 * none is scheduled (a volatile read, and a CAS when idle); a task that ends sets the state idle and then looks
 * at the queue again (Dekker with the sender's offer then state read), so an output is never stranded.
 *
 * <p>Thread-safe: {@link #signal}, {@link #enqueue} and {@link #discardRolledBack} from any thread; the rest
 * runs on the release task.
 *
 * @param <T> the type of the outputs
 */
final class ReleaseEngine<T> {
    private static final System.Logger LOG = System.getLogger(Boundary.class.getName());
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ReleaseEngine.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int IDLE = 0;
    private static final int SCHEDULED = 1;

    private final Boundary<T> owner;
    private final String groupName;
    private final String id;
    private final Boundary.Mode mode;
    private final Sink<? super T> sink;
    private final Executor executor;
    private final RetryPolicy retry;
    private final DeadLetterHandler<? super T> deadLetters;
    private final GroupOutputs outputs;

    final MpscUnboundedAtomicArrayQueue<Held> queue = new MpscUnboundedAtomicArrayQueue<>(256);
    private final Runnable releaseTask = this::release;

    /** The consumer side: the queue's single consumer, and the held deque; shared by the release task and rollbacks. */
    private final ReentrantLock consumerLock = new ReentrantLock();
    private final ArrayDeque<Held> held = new ArrayDeque<>(); // guarded by consumerLock
    private long releasedCount; // guarded by consumerLock

    /* The release task's own state: one task at a time, each happens-after the previous (state CAS, executor hand-off). */
    private final ArrayDeque<Held> batch = new ArrayDeque<>();
    private CompletableFuture<Object> pendingDelivery;
    private List<Throwable> failures;

    /* Counters: delivered, deadLettered, retries, lastDeadLetterCause written by the release task only; discarded under consumerLock. */
    volatile long delivered;
    volatile long discarded;
    volatile long deadLettered;
    volatile long retries;
    private Throwable lastDeadLetterCause; // release task only
    private long deadLettersSinceFlush; // release task only: dead letters since the last flush marker

    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    /** {@code deadLetters} null: a handler that logs a warning. */
    ReleaseEngine(Boundary<T> owner, String groupName, Boundary.Mode mode, Sink<? super T> sink, Executor executor,
                  RetryPolicy retry, DeadLetterHandler<? super T> deadLetters, GroupOutputs outputs) {
        this.owner = owner;
        this.groupName = groupName;
        this.id = owner.id();
        this.mode = mode;
        this.sink = sink;
        this.executor = executor;
        this.retry = retry;
        this.deadLetters = deadLetters != null ? deadLetters : this::logDeadLetter;
        this.outputs = outputs;
    }

    /** Hands {@code h} to the single consumer; its epoch is written before (the offer publishes it). Any thread. */
    void enqueue(Held h) {
        queue.offer(h);
    }

    // ================================================================== rollback

    /**
     * Called by the group's rollback participant, gates closed: drops what is still held of the epochs in
     * {@code (cutEpoch, newEpoch)}. Returns how many outputs were dropped.
     */
    long discardRolledBack(long cutEpoch, long newEpoch) {
        if (mode == Boundary.Mode.IMMEDIATE) {
            return 0;
        }
        long n = 0;
        boolean more;
        consumerLock.lock();
        try {
            pollQueue(); // every output of a rolled-back epoch is in the queue by now: see GroupOutputs
            for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (!h.isMarker() && h.epoch > cutEpoch && h.epoch < newEpoch) {
                    it.remove();
                    n++;
                }
            }
            discarded += n;
            more = !held.isEmpty();
        } finally {
            consumerLock.unlock();
        }
        if (n > 0) {
            owner.settle(n);
            if (more) {
                signal(); // what waited behind a discarded output may be releasable now
            }
        }
        return n;
    }

    // ================================================================== release

    /** Schedules the release task unless one is scheduled. */
    void signal() {
        if ((int) STATE.getVolatile(this) == IDLE && STATE.compareAndSet(this, IDLE, SCHEDULED)) {
            execute(executor);
        }
    }

    private void execute(Executor ex) {
        try {
            ex.execute(releaseTask);
        } catch (Throwable e) {
            STATE.setVolatile(this, IDLE); // a later send or flush tries again
            LOG.log(System.Logger.Level.WARNING, "the release executor of boundary '" + id + "' of group '" + groupName
                    + "' rejected the release task; outputs wait for the next send or flush", e);
        }
    }

    /** One release task: finishes a pending delivery, takes what is releasable now, delivers it, ends. */
    private void release() {
        try {
            if (!settlePendingDelivery()) {
                return; // suspended again: a continuation is scheduled
            }
            if (batch.isEmpty()) {
                takeReleasable();
            }
            if (!deliverBatch()) {
                return;
            }
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "the release task of boundary '" + id + "' of group '" + groupName + "' failed", e);
            if (e instanceof VirtualMachineError fatal) {
                STATE.setVolatile(this, IDLE);
                throw fatal;
            }
        }
        STATE.setVolatile(this, IDLE);
        // Read after the state write (both volatile): a sender that offered and then read SCHEDULED left its
        // output for this task, and this task sees it here and schedules another.
        if (hasWork()) {
            signal();
        }
    }

    private void pollQueue() {
        Held h;
        while ((h = queue.poll()) != null) {
            if (h.parts == null) {
                held.addLast(h);
            } else {
                for (Held part : h.parts) {
                    part.epoch = h.epoch;
                    held.addLast(part);
                }
            }
        }
    }

    private void takeReleasable() {
        consumerLock.lock();
        try {
            pollQueue();
            // Read before the watermark: the durable floor only grows, so the watermark read next is at least the
            // floor read here, and an output the watermark covers is never dead-lettered.
            long atMost = outputs.releasableAtMost();
            long watermark = outputs.watermark();
            long firstSequence = releasedCount + 1;
            Held h;
            while ((h = held.peekFirst()) != null) {
                if (!h.isMarker()) {
                    if (h.epoch > watermark) {
                        if (h.epoch <= atMost) {
                            break; // held: a condition may still move past it
                        }
                        // The store failed before this output's epoch was durable: it can never be released.
                        h.neverReleased = outputs.storeFailure();
                    }
                    h.sequence = ++releasedCount;
                }
                held.pollFirst();
                batch.addLast(h); // taken: a rollback no longer discards it
            }
            if (h != null && mode == Boundary.Mode.EXTERNAL) {
                outputs.holding(newestHeldEpoch());
            }
            if (releasedCount >= firstSequence) {
                BoundaryReleaseEvent event = new BoundaryReleaseEvent();
                if (event.shouldCommit()) {
                    event.group = groupName;
                    event.boundary = id;
                    event.outputs = (int) Math.min(Integer.MAX_VALUE, releasedCount - firstSequence + 1);
                    event.firstSequence = firstSequence;
                    event.lastSequence = releasedCount;
                    event.watermark = watermark;
                    event.stillHeld = held.size();
                    event.commit();
                }
            }
        } finally {
            consumerLock.unlock();
        }
    }

    /** Consumer lock held, {@code held} not empty: the newest epoch among the held outputs (they are roughly in epoch order). */
    private long newestHeldEpoch() {
        long newest = Long.MIN_VALUE;
        int looked = 0;
        for (Iterator<Held> it = held.descendingIterator(); it.hasNext() && looked < 64; looked++) {
            Held h = it.next();
            if (!h.isMarker()) {
                newest = Math.max(newest, h.epoch);
            }
        }
        return newest;
    }

    private boolean hasWork() {
        if (!queue.isEmpty()) {
            return true;
        }
        consumerLock.lock();
        try {
            Held h = held.peekFirst();
            return h != null && (h.isMarker() || h.epoch <= outputs.watermark() || h.epoch > outputs.releasableAtMost());
        } finally {
            consumerLock.unlock();
        }
    }

    /** Delivers the batch in order; false if it suspended on an asynchronous delivery or a retry backoff. */
    @SuppressWarnings("unchecked")
    private boolean deliverBatch() {
        Held h;
        while ((h = batch.peekFirst()) != null) {
            if (h.isMarker()) {
                batch.pollFirst();
                completeFlush(h);
                continue;
            }
            if (h.neverReleased != null) {
                batch.pollFirst();
                deadLetter(h, List.of(h.neverReleased)); // the sink is never called with it
                continue;
            }
            Throwable failure = null;
            try {
                CompletionStage<?> stage = sink.deliver((T) h.output);
                if (stage != null) {
                    CompletableFuture<Object> outcome = new CompletableFuture<>();
                    stage.whenComplete((r, e) -> {
                        if (e != null) {
                            outcome.completeExceptionally(e);
                        } else {
                            outcome.complete(r);
                        }
                    });
                    if (!outcome.isDone()) {
                        pendingDelivery = outcome;
                        // Last action of this task: the continuation may start at once on the completing thread.
                        outcome.whenComplete((r, e) -> execute(executor));
                        return false;
                    }
                    failure = failureOf(outcome);
                }
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable e) {
                failure = e;
            }
            if (failure == null) {
                delivered(h);
            } else if (!failed(h, failure)) {
                return false;
            }
        }
        return true;
    }

    /** Settles the head after an asynchronous delivery completed; false if a retry was scheduled. */
    private boolean settlePendingDelivery() {
        CompletableFuture<Object> outcome = pendingDelivery;
        if (outcome == null) {
            return true;
        }
        pendingDelivery = null;
        Held h = batch.peekFirst();
        Throwable failure = failureOf(outcome);
        if (failure == null) {
            delivered(h);
            return true;
        }
        return failed(h, failure);
    }

    private static Throwable failureOf(CompletableFuture<Object> done) {
        try {
            done.join();
            return null;
        } catch (Throwable e) {
            return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        }
    }

    private void delivered(Held h) {
        batch.pollFirst();
        failures = null;
        delivered = delivered + 1; // single writer: the release task
        owner.settle(1);
    }

    /** A delivery failed: schedules a retry (returns false) or dead-letters the output (returns true). */
    private boolean failed(Held h, Throwable failure) {
        if (failures == null) {
            failures = new ArrayList<>(2);
        }
        failures.add(failure);
        if (failures.size() < retry.maxAttempts()) {
            retries = retries + 1; // single writer: the release task
            long backoff = retry.backoff().toNanos();
            // Last action of this task: the retry runs as a new task (state stays SCHEDULED meanwhile).
            execute(backoff == 0 ? executor : CompletableFuture.delayedExecutor(backoff, TimeUnit.NANOSECONDS, executor));
            return false;
        }
        batch.pollFirst();
        List<Throwable> all = failures;
        failures = null;
        deadLetter(h, all);
        return true;
    }

    /** Hands {@code h} (already taken off the batch) to the dead-letter handler and settles it. Release task only. */
    @SuppressWarnings("unchecked")
    private void deadLetter(Held h, List<Throwable> all) {
        try {
            deadLetters.deadLetter(new DeadLetter<>(groupName, id, (T) h.output, h.sequence, all));
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "the dead-letter handler of boundary '" + id + "' of group '" + groupName
                    + "' threw on output #" + h.sequence, e);
        }
        lastDeadLetterCause = all.get(all.size() - 1);
        deadLettersSinceFlush++;
        deadLettered = deadLettered + 1; // single writer: the release task
        owner.settle(1);
    }

    private void completeFlush(Held marker) {
        long undelivered = deadLettersSinceFlush;
        deadLettersSinceFlush = 0;
        if (undelivered == 0) {
            marker.flushed.complete(null);
        } else {
            marker.flushed.completeExceptionally(new UndeliveredOutputsException(undelivered + " output(s) of boundary '" + id
                    + "' of group '" + groupName + "' could not be delivered and went to the dead-letter handler",
                    undelivered, lastDeadLetterCause));
            lastDeadLetterCause = null;
        }
    }

    private void logDeadLetter(DeadLetter<? extends T> letter) {
        String text = String.valueOf(letter.output());
        if (text.length() > 200) {
            text = text.substring(0, 200) + "...";
        }
        LOG.log(System.Logger.Level.WARNING, "boundary '" + id + "' of group '" + groupName + "' could not deliver output #"
                + letter.sequence() + " after " + letter.attempts() + " attempt(s): " + text, letter.cause());
    }
}
