package io.aurora4j.notify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Design
 * ======
 *
 * Aurora "notifies the client of the rollback" (Tsalapatis et al., "The Aurora Single Level Store
 * Operating System", SOSP 2021); this class is that notification for a group. The publisher (a
 * group, which publishes under its own lock) must never wait for user code, yet every listener must
 * see every rollback exactly once and in rollback order.
 *
 * Algorithm: every registration is an actor. It owns a mailbox (a lock-free ConcurrentLinkedQueue)
 * and a two-valued drain state, IDLE or SCHEDULED. publish() appends the event to the mailbox of
 * every open registration and then schedules each one; scheduling is a CAS IDLE -> SCHEDULED, and
 * only the thread that wins it hands one drain task to the executor. A drain takes items from its
 * mailbox in FIFO order and runs them one at a time until the mailbox is empty, then stores IDLE and
 * looks at the mailbox once more: a producer that appended after the drain's last poll either saw
 * SCHEDULED (and left the item to us, so the re-check finds it and the drain takes the state back by
 * CAS) or saw IDLE (and scheduled a new drain itself). This is the mailbox scheme of Akka and of the
 * JDK's SubmissionPublisher, and gives:
 *   - at most one drain per registration at any time, whatever the executor's threads, so a
 *     listener's calls never overlap and come in mailbox order; the state CAS and the queue hand-off
 *     order each call before the next (happens-before);
 *   - exactly once: an event is appended once to each mailbox and polled once by its only consumer;
 *   - different registrations drain independently, so listeners run concurrently.
 *
 * Publish order. Two concurrent publish() calls must put their events into every mailbox in the
 * same order, or two listeners could see them in different orders. A short ReentrantLock (not
 * synchronized: virtual threads must not pin) makes "check the sequence, snapshot the
 * registrations, append to each mailbox" one atomic step. The same lock orders register(),
 * Registration.close(), delivered() and close() against publish(), which is what gives each its
 * exact meaning: a listener registered after the step never gets that event; one closed after it
 * drops the events its drain has not started. The lock is held for O(registrations) appends to
 * non-blocking queues and never around a listener, an error handler or Executor.execute, so a
 * direct executor can run listeners on the publisher's thread without holding it, and listeners can
 * call back into the notifier.
 *
 * delivered(). Under the lock it appends one Barrier to every mailbox that still has work (open
 * registrations, and closed ones whose drain has not finished: the `closing` set); a drain that
 * reaches a Barrier counts it down, and the last count completes the future. Mailboxes are FIFO, so
 * a Barrier is reached only after everything published before it. A mailbox that is IDLE and empty
 * under the lock has nothing of earlier publishes left (its drain stored IDLE after its last call
 * returned) and is skipped, so delivered() on a quiet notifier completes at once.
 *
 * Refused tasks. If Executor.execute throws (RejectedExecutionException, typically), the scheduling
 * thread stores IDLE again: the mailbox keeps its items, the error handler is told, and the next
 * publish()/delivered()/close() schedules again. Nothing is lost and nothing runs on the
 * publisher's thread behind its back (running inline could call user code under the group's lock).
 * A delivered() whose own scheduling was refused fails its future with the exception instead of
 * leaving the caller waiting for a retry that may never come.
 *
 * Side effects and CAS: the only CAS is on the drain state, and it is a plain compareAndSet whose
 * winner acts after winning; there are no retry lambdas (getAndUpdate and friends) in this class.
 */

/**
 * Delivers each {@link RollbackEvent} of a group to the {@link RollbackListener}s registered at the
 * time it was published: exactly once to each, in publish order for each listener, on an executor
 * (by default one new virtual thread per delivery task). Thread-safe.
 *
 * {@snippet :
 * try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
 *     Registration reg = notifier.register(event ->
 *             seen.add("rolled back to " + event.checkpoint().id() + ": " + event.cause().getMessage()));
 *
 *     // The group, under its own lock, after restoring state:
 *     notifier.publish(RollbackEvent.builder("bank", 1, checkpoint, cause)
 *             .duration(Duration.ofNanos(restoreNanos))
 *             .restoredObjects(12)
 *             .build());                               // returns at once
 *
 *     notifier.delivered().get(5, TimeUnit.SECONDS);   // optional: wait for the listeners
 *     reg.close();                                     // no more events for this listener
 * }
 * }
 * (This sample is compiled and run by the module's {@code ReadmeExampleTest}.)
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Exactly once.</b> Each published event is delivered exactly once to each listener that
 *       was registered when {@code publish} was called (a listener registered twice receives it
 *       twice, once per registration), and to no other listener. {@code register} and
 *       {@code publish} are ordered by the notifier's lock: a listener whose registration returned
 *       before {@code publish} of <i>N</i> was called receives <i>N</i>; one registered after that
 *       publish returned, or from inside a listener handling <i>N</i>, never does; for calls that
 *       overlap, whichever takes the lock first decides.</li>
 *   <li><b>Order.</b> Each listener receives its events one at a time, in publish order, which is
 *       increasing {@link RollbackEvent#sequence()} order, even with a multi-threaded executor;
 *       each call happens-before the next. Different listeners may run concurrently, so a slow
 *       listener never delays the others.</li>
 *   <li><b>Closing a registration.</b> A listener whose {@link Registration} is closed before the
 *       delivery of an event to it has started never receives that event; a call already running
 *       finishes.</li>
 *   <li><b>Failures are contained.</b> A listener that throws an exception or an {@link Error}
 *       (other than a {@link VirtualMachineError}) is reported to the {@link ListenerErrorHandler};
 *       the other listeners, and the same listener's later events, are still delivered. An error
 *       handler that throws is logged through {@link System.Logger} at
 *       {@link System.Logger.Level#ERROR ERROR} and otherwise ignored. A
 *       {@link VirtualMachineError} (out of memory, stack overflow) is not reported: the event
 *       counts as delivered, a new task is scheduled for the listener's later events, and the error
 *       is rethrown to the executor's thread.</li>
 *   <li><b>Never on the caller's thread, never under a lock.</b> {@code publish} only enqueues and
 *       returns; listeners run on the executor (on the caller's thread only if the executor itself
 *       runs tasks there, as a direct executor does) and never while the notifier holds a lock, so
 *       a listener may {@linkplain #register register} and {@linkplain Registration#close close}
 *       listeners, or publish, without deadlock.</li>
 *   <li><b>Refused tasks lose nothing.</b> If the executor throws from {@code execute} (a
 *       {@link RejectedExecutionException}, typically), the events stay queued, the error handler is
 *       told (with the listener's oldest undelivered event and the exception), and delivery is tried
 *       again by the next {@code publish}, {@code delivered} or {@code close} call. Nothing retries
 *       on a timer, and nothing is run inline instead: that could run user code on the publisher's
 *       thread while it holds its group's lock.</li>
 * </ul>
 *
 * <h2>What happens in each state</h2>
 * <table class="striped">
 *   <caption>RollbackNotifier: open and closed</caption>
 *   <thead><tr><th>call</th><th>open</th><th>closed (after {@link #close()})</th></tr></thead>
 *   <tbody>
 *     <tr><th scope="row">{@link #register register}</th>
 *         <td>Adds the listener; it receives every event published after {@code register}
 *             returns. {@code NullPointerException} on a null listener.</td>
 *         <td>{@code IllegalStateException("rollback notifier 'NAME' is closed")}.</td></tr>
 *     <tr><th scope="row">{@link #publish publish}</th>
 *         <td>Checks that the sequence is greater than the last published one
 *             ({@code IllegalArgumentException} naming both otherwise), queues the event for every
 *             registered listener, schedules delivery, returns. Listener failures never reach the
 *             caller.</td>
 *         <td>{@code IllegalStateException("rollback notifier 'NAME' is closed")}; the event is
 *             not queued.</td></tr>
 *     <tr><th scope="row">{@link #delivered delivered}</th>
 *         <td>A future that completes when every event published before the call has been
 *             delivered to (or has failed in, or was dropped by the closing of) every listener it
 *             was queued for. Completes exceptionally with the executor's exception if the
 *             executor refuses to run a delivery it needs.</td>
 *         <td>The same: events accepted before {@code close} are still delivered, so this is how
 *             to wait for them.</td></tr>
 *     <tr><th scope="row">{@link #close close}</th>
 *         <td>Stops accepting registrations and events, retries any delivery an executor refused,
 *             and returns at once; events already published are still delivered. Registrations
 *             stay open.</td>
 *         <td>Nothing (it retries refused deliveries again).</td></tr>
 *     <tr><th scope="row">{@link #listenerCount listenerCount}, {@link #name name}</th>
 *         <td>The number of open registrations; the name.</td>
 *         <td>The same.</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>A listener must not wait on {@link #delivered()} from inside {@code onRollback}: that future
 * includes the running call, so it would never complete. Dependent actions attached to a
 * {@code delivered()} future with the non-{@code Async} methods may run on a delivery thread; use
 * the {@code Async} variants for anything slow.
 */
public final class RollbackNotifier implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(RollbackNotifier.class.getName());
    private static final Subscriber[] NO_SUBSCRIBERS = new Subscriber[0];

    private final String name;
    private final Executor executor;
    private final ListenerErrorHandler errorHandler;

    /**
     * Makes publish's "check sequence, snapshot, enqueue" one step and orders every other state
     * change against it. Never held around user code or Executor.execute.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Open registrations; copy-on-write under {@link #lock}; read without it by listenerCount. */
    private volatile Subscriber[] subscribers = NO_SUBSCRIBERS;
    /** Closed registrations whose drain may still be running or have items queued. */
    private final Set<Subscriber> closing = ConcurrentHashMap.newKeySet();
    /** The sequence of the last accepted event; guarded by {@link #lock}. */
    private long lastSequence;
    /** Written under {@link #lock}; volatile so that {@link #isClosed()} needs no lock. */
    private volatile boolean closed;

    private RollbackNotifier(String name, Executor executor, ListenerErrorHandler errorHandler) {
        this.name = name;
        this.executor = executor;
        this.errorHandler = errorHandler;
    }

    /**
     * A notifier that delivers on a new virtual thread per delivery task and reports listener
     * errors through {@link System.Logger} at {@link System.Logger.Level#WARNING WARNING}, naming
     * the notifier, the listener and the event. Same as {@code builder(name).build()}.
     *
     * @param name a name for messages and thread names, typically the group's name
     * @return a new open notifier
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static RollbackNotifier create(String name) {
        return builder(name).build();
    }

    /**
     * A builder for a notifier with a chosen executor or error handler.
     *
     * @param name a name for messages and thread names, typically the group's name
     * @return a new builder
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("rollback notifier name must not be blank");
        }
        return new Builder(name);
    }

    /**
     * Registers a listener: it receives every event published after this call returns, until the
     * returned registration is closed. Registering the same listener twice gives two independent
     * registrations, each receiving every event. May be called from inside a listener.
     *
     * @param listener the listener
     * @return its registration; close it to stop delivery
     * @throws NullPointerException  if {@code listener} is null
     * @throws IllegalStateException if this notifier is closed
     */
    public Registration register(RollbackListener listener) {
        Objects.requireNonNull(listener, "listener");
        Subscriber s = new Subscriber(listener);
        lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            Subscriber[] old = subscribers;
            Subscriber[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = s;
            subscribers = grown;
        } finally {
            lock.unlock();
        }
        return s;
    }

    /**
     * Queues {@code event} for every listener registered now and returns; delivery happens on the
     * executor. Concurrent calls are safe: their events reach every listener in the same order,
     * the order in which the calls were accepted, and a call whose sequence is not greater than the
     * last accepted one is rejected.
     *
     * <p>If the executor refuses a delivery task, the error handler is told on this thread and the
     * event stays queued (see the class documentation); this method does not throw for it.
     *
     * @param event the event
     * @throws NullPointerException     if {@code event} is null
     * @throws IllegalArgumentException if {@code event.sequence()} is not greater than the sequence
     *                                  of the last published event (the message names both)
     * @throws IllegalStateException    if this notifier is closed
     */
    public void publish(RollbackEvent event) {
        Objects.requireNonNull(event, "event");
        Subscriber[] targets;
        long last;
        lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            last = lastSequence;
            if (event.sequence() > last) {
                lastSequence = event.sequence();
                targets = subscribers;
                for (Subscriber s : targets) {
                    // Inside the lock: concurrent publishers must append to every mailbox in one order.
                    s.mailbox.offer(event);
                }
            } else {
                targets = null;
            }
        } finally {
            lock.unlock();
        }
        if (targets == null) { // message built outside the lock: event.toString() calls user code
            throw new IllegalArgumentException("rollback notifier '" + name + "': event sequence "
                    + event.sequence() + " is not after the last published sequence " + last + " (" + event + ")");
        }
        // Outside the lock: a direct executor runs the drain right here, and listeners may call back.
        for (Subscriber s : targets) {
            s.schedule();
        }
    }

    /**
     * A future that completes when every event published before this call has been delivered to
     * every listener it was queued for: the listener returned, threw (and was reported), or had its
     * registration closed before the delivery started. Completes at once when nothing is pending.
     * Each call returns a new future; completing or cancelling it affects nothing else.
     *
     * <p>If the executor refuses a delivery task this future needs, the future completes
     * exceptionally with the executor's exception; the work stays queued and a later call
     * retries it. Works the same after {@link #close()}.
     *
     * @return a future completed (with {@code null}) once the earlier events are delivered
     */
    public CompletableFuture<Void> delivered() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<Subscriber> targets = new ArrayList<>();
        lock.lock();
        try {
            for (Subscriber s : subscribers) {
                if (s.hasWork()) {
                    targets.add(s);
                }
            }
            for (Subscriber s : closing) {
                if (s.hasWork()) {
                    targets.add(s);
                }
            }
            if (targets.isEmpty()) {
                done.complete(null);
                return done;
            }
            Barrier barrier = new Barrier(targets.size(), done);
            for (Subscriber s : targets) {
                // Inside the lock: no publish can slip between the snapshot and the barrier.
                s.mailbox.offer(barrier);
            }
        } finally {
            lock.unlock();
        }
        for (Subscriber s : targets) {
            RuntimeException refused = s.schedule();
            if (refused != null) {
                done.completeExceptionally(refused);
            }
        }
        return done;
    }

    /**
     * The number of open registrations.
     *
     * @return the count
     */
    public int listenerCount() {
        return subscribers.length;
    }

    /**
     * The name given at creation.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops accepting registrations and events. Events already published are still delivered (wait
     * with {@link #delivered()}); registrations stay open until closed themselves. Also retries any
     * delivery the executor refused. Returns at once; idempotent.
     */
    @Override
    public void close() {
        List<Subscriber> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(Arrays.asList(subscribers));
            all.addAll(closing);
        } finally {
            lock.unlock();
        }
        for (Subscriber s : all) {
            if (!s.mailbox.isEmpty()) {
                s.schedule();
            }
        }
    }

    /**
     * Names the notifier, its state and its listener count.
     *
     * @return a description such as {@code RollbackNotifier[bank, open, 2 listeners]}
     */
    @Override
    public String toString() {
        return "RollbackNotifier[" + name + ", " + (closed ? "closed" : "open") + ", " + listenerCount()
                + " listeners]";
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("rollback notifier '" + name + "' is closed");
    }

    /** Reports a listener failure; a handler that throws is logged and ignored. */
    private void reportListenerError(RollbackListener listener, RollbackEvent event, Throwable error) {
        try {
            errorHandler.onListenerError(listener, event, error);
        } catch (VirtualMachineError vmError) {
            throw vmError;
        } catch (Throwable handlerError) {
            // Neither throwable is modified (no addSuppressed): both may be shared or reused by user code.
            LOGGER.log(System.Logger.Level.ERROR, () -> "rollback notifier '" + name + "': error handler "
                    + errorHandler + " threw while reporting " + error + " from listener " + listener
                    + " on " + event + "; ignored", handlerError);
        }
    }

    /** One registration: a listener and its mailbox, drained by at most one task at a time. */
    private final class Subscriber implements Registration {
        private static final int IDLE = 0;
        private static final int SCHEDULED = 1;

        final RollbackListener listener;
        /** RollbackEvents and Barriers, FIFO; appended under the notifier's lock, polled by the drain. */
        final ConcurrentLinkedQueue<Object> mailbox = new ConcurrentLinkedQueue<>();
        /** IDLE, or SCHEDULED while a drain task is submitted or running. */
        final AtomicInteger state = new AtomicInteger(IDLE);
        /** Written under the notifier's lock; read by the drain before each delivery. */
        volatile boolean closed;
        private final Runnable drainTask = this::drain;

        Subscriber(RollbackListener listener) {
            this.listener = listener;
        }

        /**
         * Whether this mailbox may still hold work published before now. Called under the lock,
         * where nothing can be appended: IDLE was stored by the drain after its last call returned,
         * so IDLE with an empty mailbox means everything earlier is done.
         */
        boolean hasWork() {
            return state.get() != IDLE || !mailbox.isEmpty();
        }

        /**
         * Makes sure a drain will run. Returns what the executor threw if it refused, else null.
         */
        RuntimeException schedule() {
            // Only the winner of IDLE -> SCHEDULED submits, so at most one drain ever runs: that is
            // what keeps this listener's calls serial and ordered on a multi-threaded executor.
            if (state.get() != IDLE || !state.compareAndSet(IDLE, SCHEDULED)) {
                return null;
            }
            if (mailbox.isEmpty()) {
                // A running drain already took what this call was made for. A drain scheduled for an
                // empty mailbox would leave the state SCHEDULED after the work is done, so a delivered()
                // made right after the earlier one completed found this idle listener busy. Give the
                // state back as the drain does: an item appended meanwhile is seen by the re-check.
                state.set(IDLE);
                if (closed) {
                    closing.remove(this);
                }
                if (mailbox.isEmpty() || !state.compareAndSet(IDLE, SCHEDULED)) {
                    return null;
                }
            }
            try {
                executor.execute(drainTask);
                return null;
            } catch (RuntimeException refused) {
                // Give the mailbox back, items and all, so that the next publish/delivered/close
                // schedules again; reported after the state is released, so a handler that
                // publishes can reschedule.
                state.set(IDLE);
                reportRefusal(refused);
                return refused;
            }
        }

        private void reportRefusal(RuntimeException refused) {
            if (!closed) {
                for (Object item : mailbox) {
                    if (item instanceof RollbackEvent oldest) {
                        reportListenerError(listener, oldest, refused);
                        return;
                    }
                }
            }
            // Only barriers, or a closed registration whose events are dropped anyway: no event is
            // at stake, and the delivered() future that needed the task fails with the exception.
            LOGGER.log(System.Logger.Level.DEBUG, () -> "rollback notifier '" + name + "': executor "
                    + executor + " refused a delivery task for listener " + listener + "; will retry", refused);
        }

        private void drain() {
            // Barriers reached but not yet arrived at. A barrier arrives only once the drain has either
            // gone IDLE or taken the next item: arriving while still SCHEDULED let a delivered() made
            // right after the first one completed see this idle mailbox as busy (DeliveredTest).
            List<Barrier> reached = null;
            for (;;) {
                Object item = mailbox.poll();
                if (item == null) {
                    // Store IDLE before the re-check: an item appended after our poll is seen by the
                    // re-check, or its producer sees IDLE and schedules a new drain.
                    state.set(IDLE);
                    if (closed) {
                        closing.remove(this);
                    }
                    reached = arrive(reached);
                    if (mailbox.isEmpty() || !state.compareAndSet(IDLE, SCHEDULED)) {
                        return;
                    }
                    continue;
                }
                // More work follows the barriers reached so far: a later event must not hold them up.
                reached = arrive(reached);
                if (item instanceof Barrier barrier) {
                    reached = new ArrayList<>(2);
                    reached.add(barrier);
                } else if (!closed) { // read before the call: a registration closed by now drops it
                    deliver((RollbackEvent) item);
                }
            }
        }

        private static List<Barrier> arrive(List<Barrier> reached) {
            if (reached != null) {
                for (Barrier barrier : reached) {
                    barrier.arrive();
                }
            }
            return null;
        }

        private void deliver(RollbackEvent event) {
            try {
                listener.onRollback(event);
            } catch (VirtualMachineError vmError) {
                // The event counts as delivered. Release the mailbox and hand the rest to a new task
                // before the error unwinds this one, so later events are not stranded.
                state.set(IDLE);
                if (!mailbox.isEmpty()) {
                    schedule();
                }
                throw vmError;
            } catch (Throwable failure) {
                reportListenerError(listener, event, failure);
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                // Add to `closing` before setting `closed`: the drain removes the entry only once it
                // sees `closed`, so the entry cannot outlive the drain.
                closing.add(this);
                closed = true;
                Subscriber[] old = subscribers;
                int i = Arrays.asList(old).indexOf(this);
                if (i >= 0) {
                    Subscriber[] shrunk = new Subscriber[old.length - 1];
                    System.arraycopy(old, 0, shrunk, 0, i);
                    System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
                    subscribers = shrunk;
                }
                if (!hasWork()) {
                    closing.remove(this);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "Registration[" + name + ", " + listener + (closed ? ", closed]" : ", open]");
        }
    }

    /** A marker in every busy mailbox; the last drain to reach it completes a delivered() future. */
    private static final class Barrier {
        private final AtomicInteger remaining;
        private final CompletableFuture<Void> done;

        Barrier(int parties, CompletableFuture<Void> done) {
            this.remaining = new AtomicInteger(parties);
            this.done = done;
        }

        void arrive() {
            if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            }
        }
    }

    /** Logs listener errors at WARNING; the default {@link ListenerErrorHandler}. */
    private static final class LoggingErrorHandler implements ListenerErrorHandler {
        private final String notifierName;

        LoggingErrorHandler(String notifierName) {
            this.notifierName = notifierName;
        }

        @Override
        public void onListenerError(RollbackListener listener, RollbackEvent event, Throwable error) {
            LOGGER.log(System.Logger.Level.WARNING, () -> "rollback notifier '" + notifierName + "': listener "
                    + listener + " failed on " + event, error);
        }

        @Override
        public String toString() {
            return "LoggingErrorHandler[" + notifierName + "]";
        }
    }

    /**
     * Configures a {@link RollbackNotifier}. Each setting may be given once; unset ones get their
     * defaults when {@link #build()} runs. Not thread-safe.
     */
    public static final class Builder {
        private final String name;
        private Executor executor;
        private ListenerErrorHandler errorHandler;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Sets the executor that runs delivery tasks (default: a new virtual thread per task, named
         * {@code aurora4j-notify-NAME-N}). Any executor keeps the guarantees, including a
         * multi-threaded pool; a direct executor ({@code Runnable::run}) runs listeners on the
         * thread that calls {@code publish}, after the notifier has released its lock. An executor
         * may refuse tasks: see the class documentation.
         *
         * @param executor the executor
         * @return this builder
         * @throws NullPointerException  if {@code executor} is null
         * @throws IllegalStateException if an executor was already set
         */
        public Builder executor(Executor executor) {
            Objects.requireNonNull(executor, "executor");
            if (this.executor != null) {
                throw new IllegalStateException("rollback notifier '" + name + "': executor was already set to "
                        + this.executor);
            }
            this.executor = executor;
            return this;
        }

        /**
         * Sets what is told when a listener throws or the executor refuses a task (default: a
         * {@link System.Logger} WARNING naming the notifier, the listener and the event).
         *
         * @param handler the handler; must be thread-safe
         * @return this builder
         * @throws NullPointerException  if {@code handler} is null
         * @throws IllegalStateException if an error handler was already set
         */
        public Builder errorHandler(ListenerErrorHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (this.errorHandler != null) {
                throw new IllegalStateException("rollback notifier '" + name
                        + "': error handler was already set to " + this.errorHandler);
            }
            this.errorHandler = handler;
            return this;
        }

        /**
         * Makes the notifier, filling in the defaults.
         *
         * @return a new open notifier
         */
        public RollbackNotifier build() {
            Executor e = executor;
            if (e == null) {
                ThreadFactory threads = Thread.ofVirtual().name("aurora4j-notify-" + name + "-", 0).factory();
                e = new VirtualThreadPerTask(threads, name);
            }
            ListenerErrorHandler h = errorHandler != null ? errorHandler : new LoggingErrorHandler(name);
            return new RollbackNotifier(name, e, h);
        }
    }

    /** The default executor: each task on a new virtual thread. Needs no shutdown. */
    private record VirtualThreadPerTask(ThreadFactory threads, String notifierName) implements Executor {
        @Override
        public void execute(Runnable task) {
            threads.newThread(task).start();
        }

        @Override
        public String toString() {
            return "virtual thread per task (" + notifierName + ")";
        }
    }
}
