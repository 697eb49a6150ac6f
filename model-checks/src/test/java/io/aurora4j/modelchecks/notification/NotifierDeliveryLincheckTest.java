package io.aurora4j.modelchecks.notification;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.notify.CheckpointInfo;
import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;
import io.aurora4j.notify.RollbackNotifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * Rollback notification (ARCHITECTURE.md invariant 6) at the level of {@link RollbackNotifier}: every event
 * reaches every listener registered for it exactly once, in sequence order, one call at a time.
 *
 * <p>Threads publish events with sequence numbers drawn from one counter, so two publishers can reach the
 * notifier in the opposite order of their numbers; the notifier must then refuse the smaller one (its
 * contract: a sequence not greater than the last accepted one is an {@code IllegalArgumentException}).
 * Meanwhile one thread may register a second listener and later close it. The checks are on the state
 * after each part of the scenario ({@link #check()}, a Lincheck {@code @Validate} function, which first
 * lets every pending delivery run), using a logical clock that orders the calls:
 * <ul>
 *   <li>the listener registered from the start saw exactly the accepted sequences, ascending, each once;</li>
 *   <li>the late listener saw an ascending subset of them: none whose publish returned before its
 *       {@code register} was called, every one whose publish started after {@code register} returned (if
 *       never closed), none whose publish started after {@code close} returned;</li>
 *   <li>no listener was ever called while a call of it was still running;</li>
 *   <li>every refused publish was overtaken: a greater sequence was accepted before the refusal
 *       returned;</li>
 *   <li>all of this holds once the delivery tasks already handed to the executor have run, before anyone
 *       calls {@code delivered()} (which would reschedule an event a faulty drain left stranded); and
 *       {@code delivered()} then completes.</li>
 * </ul>
 * The operations return nothing, so the sequential specification is trivial: the checks above are the
 * specification. Configurations choose the executor that runs deliveries.
 */
public abstract class NotifierDeliveryLincheckTest extends AbstractLincheckTest {

    /** One stored cause for every event: creating throwables in every invocation only costs time. */
    private static final RuntimeException CAUSE = new RuntimeException("model check");

    private static final CheckpointInfo CHECKPOINT = new CheckpointInfo() {
        @Override
        public long id() {
            return 1;
        }

        @Override
        public Optional<String> label() {
            return Optional.empty();
        }

        @Override
        public String groupName() {
            return "notify";
        }
    };

    /** What the notifier under test offers; a mutant substitutes a broken implementation. */
    protected interface Notifier {
        Registration register(RollbackListener listener);

        void publish(RollbackEvent event);

        CompletableFuture<Void> delivered();
    }

    /** Adapts the real {@link RollbackNotifier}. */
    protected static Notifier real(RollbackNotifier n) {
        return new Notifier() {
            @Override
            public Registration register(RollbackListener listener) {
                return n.register(listener);
            }

            @Override
            public void publish(RollbackEvent event) {
                n.publish(event);
            }

            @Override
            public CompletableFuture<Void> delivered() {
                return n.delivered();
            }
        };
    }

    /** A listener that records what it receives and notices overlapping calls. */
    protected static final class Recorder implements RollbackListener {
        final ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean inCall = new AtomicBoolean();
        volatile boolean overlapped;

        @Override
        public void onRollback(RollbackEvent event) {
            if (!inCall.compareAndSet(false, true)) {
                overlapped = true;
            }
            seen.add(event.sequence());
            inCall.set(false);
        }
    }

    /** More sequences than any scenario publishes (its operations are fewer). */
    private static final int MAX_SEQUENCES = 64;
    private static final int UNSEEN = 0;
    private static final int ACCEPTED = 1;
    private static final int REFUSED = 2;

    private final AtomicLong nextSequence = new AtomicLong();
    /** Logical time: every call below is bracketed by two ticks, so "returned before started" is a compare. */
    private final AtomicLong clock = new AtomicLong();
    /** Per sequence: UNSEEN, ACCEPTED or REFUSED, and the ticks before the publish and after it returned. */
    private final AtomicIntegerArray outcome = new AtomicIntegerArray(MAX_SEQUENCES + 1);
    private final AtomicLongArray publishStart = new AtomicLongArray(MAX_SEQUENCES + 1);
    private final AtomicLongArray publishEnd = new AtomicLongArray(MAX_SEQUENCES + 1);

    /** Runs the deliveries of the pool configurations; unused by the others. */
    protected final TaskQueue pool = new TaskQueue();
    protected final Notifier notifier;
    private final Recorder early = new Recorder();
    private final Recorder late = new Recorder();
    private final AtomicBoolean lateClaimed = new AtomicBoolean();
    private final AtomicBoolean closeClaimed = new AtomicBoolean();
    private volatile Registration lateRegistration;
    private volatile long registerStart;
    private volatile long registerEnd;
    private volatile long closeStart = Long.MAX_VALUE;
    private volatile long closeEnd = Long.MAX_VALUE;

    protected NotifierDeliveryLincheckTest() {
        this.notifier = newNotifier(pool);
        notifier.register(early);
    }

    /**
     * The notifier under test. Called from the constructor, so it must not use the subclass's fields;
     * {@code pool} is an executor whose tasks run only when a test thread runs them.
     */
    protected abstract Notifier newNotifier(TaskQueue pool);

    /** An executor that only queues; test threads run the tasks, as the threads of a pool would. */
    protected static final class TaskQueue implements Executor {
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        /** Runs one queued task, if any. */
        public void runOne() {
            Runnable t = tasks.poll();
            if (t != null) {
                t.run();
            }
        }

        /** Runs queued tasks until none is left, including those that running ones queue. */
        public void runAll() {
            for (Runnable t; (t = tasks.poll()) != null; ) {
                t.run();
            }
        }
    }

    @Operation
    public void publish() {
        long seq = nextSequence.incrementAndGet();
        RollbackEvent event = RollbackEvent.builder("notify", seq, CHECKPOINT, CAUSE)
                .rolledBackAt(Instant.EPOCH) // no clock reads inside the model checker
                .build();
        publishStart.set((int) seq, clock.incrementAndGet());
        try {
            notifier.publish(event);
            publishEnd.set((int) seq, clock.incrementAndGet());
            outcome.set((int) seq, ACCEPTED);
        } catch (IllegalArgumentException overtaken) {
            publishEnd.set((int) seq, clock.incrementAndGet());
            outcome.set((int) seq, REFUSED);
        }
    }

    /**
     * The first call registers the late listener, the second closes its registration, later calls do
     * nothing. (One operation rather than two keeps {@code publish} frequent in generated scenarios.)
     */
    @Operation
    public void toggleLate() {
        if (lateClaimed.compareAndSet(false, true)) {
            registerStart = clock.incrementAndGet();
            Registration r = notifier.register(late);
            registerEnd = clock.incrementAndGet();
            lateRegistration = r;
            return;
        }
        Registration r = lateRegistration;
        if (r == null || !closeClaimed.compareAndSet(false, true)) {
            return; // still being registered by another thread, or already closed
        }
        long start = clock.incrementAndGet();
        r.close();
        closeEnd = clock.incrementAndGet();
        closeStart = start;
    }

    /** Two publishers racing (one may be refused) against the late listener's registration. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(parallel(
                thread(call("publish")),
                thread(call("publish")),
                thread(call("toggleLate"), call("publish"))));
    }

    /**
     * Lets every delivery task already handed to the executor run to completion, without calling the
     * notifier: a {@code publish}, {@code delivered()} or {@code close()} would schedule work a buggy
     * drain left stranded, and hide the loss. {@code everyEventReachedEarly} tells whether the listener
     * registered from the start has received every accepted event (for executors whose tasks cannot be
     * counted, it is what to wait for).
     */
    protected abstract void runPending(BooleanSupplier everyEventReachedEarly) throws Exception;

    /** Waits for a {@code delivered()} future, running whatever it needs. */
    protected abstract void await(CompletableFuture<Void> delivered) throws Exception;

    /**
     * The checks, after each part of the scenario. They run when no other thread is active, so there is
     * nothing to interleave; {@link #tune} tells the model checker not to analyse {@link Audit} (whose
     * bookkeeping would otherwise cost most of each invocation).
     */
    @Validate
    public void check() throws Exception {
        Audit.check(this);
    }

    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses(Audit.class.getName()).allMethods().ignore());
    }

    private static final class Audit {
        private Audit() {
        }

        static void check(NotifierDeliveryLincheckTest t) throws Exception {
            t.checkState();
        }
    }

    private void checkState() throws Exception {
        int published = (int) nextSequence.get();
        List<Long> acceptedSeqs = new ArrayList<>();
        for (int seq = 1; seq <= published; seq++) {
            if (outcome.get(seq) == ACCEPTED) {
                acceptedSeqs.add((long) seq);
            }
        }
        runPending(() -> early.seen.size() >= acceptedSeqs.size());
        // Checked before delivered(): an event stranded in a mailbox must show here, not be rescued by it.
        List<Long> earlySeen = new ArrayList<>(early.seen);
        if (!earlySeen.equals(acceptedSeqs)) {
            throw new AssertionError("the listener registered from the start saw " + earlySeen
                    + " but the accepted sequences are " + acceptedSeqs + " (all delivery tasks have run)");
        }
        CompletableFuture<Void> delivered = notifier.delivered();
        await(delivered);
        if (!delivered.isDone()) {
            throw new AssertionError("delivered() did not complete after every delivery ran");
        }
        if (!new ArrayList<>(early.seen).equals(acceptedSeqs)) {
            throw new AssertionError("after delivered() the listener registered from the start saw " + early.seen
                    + "; before it " + earlySeen);
        }
        if (early.overlapped || late.overlapped) {
            throw new AssertionError("a listener was called while its previous call was still running");
        }

        List<Long> lateSeen = new ArrayList<>(late.seen);
        for (int i = 1; i < lateSeen.size(); i++) {
            if (lateSeen.get(i) <= lateSeen.get(i - 1)) {
                throw new AssertionError("the late listener saw " + lateSeen + ": not strictly ascending");
            }
        }
        if (lateRegistration == null && !lateSeen.isEmpty()) {
            throw new AssertionError("a listener that was never registered saw " + lateSeen);
        }
        for (Long seq : lateSeen) {
            if (!acceptedSeqs.contains(seq)) {
                throw new AssertionError("the late listener saw " + seq + ", which was never accepted");
            }
        }
        if (lateRegistration != null) {
            for (long seq : acceptedSeqs) {
                long start = publishStart.get((int) seq);
                long end = publishEnd.get((int) seq);
                boolean saw = lateSeen.contains(seq);
                if (saw && end < registerStart) {
                    throw new AssertionError("the late listener saw " + seq + ", published before it registered; saw "
                            + lateSeen);
                }
                if (saw && start > closeEnd) {
                    throw new AssertionError("the late listener saw " + seq + ", published after it was closed; saw "
                            + lateSeen);
                }
                if (!saw && start > registerEnd && closeStart == Long.MAX_VALUE) {
                    throw new AssertionError("the late listener missed " + seq + ", published after it registered; "
                            + "saw " + lateSeen);
                }
            }
        }

        for (int seq = 1; seq <= published; seq++) {
            if (outcome.get(seq) != REFUSED) {
                continue;
            }
            boolean overtaken = false;
            for (long a : acceptedSeqs) {
                overtaken |= a > seq && publishStart.get((int) a) < publishEnd.get(seq);
            }
            if (!overtaken) {
                throw new AssertionError("the publish of " + seq + " was refused although no greater sequence was "
                        + "accepted before it returned; accepted " + acceptedSeqs);
            }
        }
    }
}
