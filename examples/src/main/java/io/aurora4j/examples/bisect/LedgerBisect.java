package io.aurora4j.examples.bisect;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.CheckpointView;
import io.aurora4j.txn.DurableHistory;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TMap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Bisecting history to find where an invariant was first broken. A ledger of five accounts holds 5,000 in all;
 * every step moves money between two accounts and takes a checkpoint. At one step (the "bug") a transfer credits
 * the receiver without debiting the sender. {@link Group#bisect} finds the first checkpoint whose view breaks
 * "the total is 5,000" in a handful of evaluations instead of one per step; {@link DurableHistory#bisect} finds
 * the same checkpoint again in the group's store directory after the group is gone (what
 * {@code sls bisect --predicate io.aurora4j.examples.bisect.LedgerBisect$TotalConserved} does from the shell).
 *
 * <p>Run: {@code ./build mvn -q -o -pl examples -am test-compile} then
 * {@code java -cp ... io.aurora4j.examples.bisect.LedgerBisect [steps] [buggyStep]}; {@code LedgerBisectTest} runs it.
 */
public final class LedgerBisect {
    /** What every account starts with. */
    static final long OPENING = 1_000;
    /** Accounts in the ledger. */
    static final int ACCOUNTS = 5;

    private LedgerBisect() {
    }

    /**
     * The invariant: the ledger's total is what it started with. Looks the map up by id through the view's group,
     * so the same predicate serves a live group and a store's durable history (and {@code sls bisect}).
     */
    public static final class TotalConserved implements Predicate<CheckpointView> {
        /** A predicate with nothing to configure ({@code sls bisect} needs a public no-argument constructor). */
        public TotalConserved() {
        }

        @Override
        public boolean test(CheckpointView view) {
            TMap<String, Long> ledger = view.checkpoint().group().map("ledger");
            long total = 0;
            for (long balance : view.snapshot(ledger).values()) {
                total += balance;
            }
            return total == OPENING * ACCOUNTS;
        }
    }

    /**
     * What a run found.
     *
     * @param buggy       the id of the checkpoint taken right after the buggy step
     * @param found       the id of the first bad checkpoint {@code Group.bisect} found in the live group
     * @param evaluations how many views it evaluated
     * @param retained    how many checkpoints it searched
     * @param foundOnDisk the id {@code DurableHistory.bisect} found in the store directory after the group closed
     */
    record Result(long buggy, long found, int evaluations, int retained, long foundOnDisk) {
    }

    /** Runs {@code steps} transfers with the bug at {@code buggyStep}, in a store under {@code dir}, and bisects. */
    static Result run(Path dir, int steps, int buggyStep) {
        Random random = new Random(42);
        Checkpoint buggy = null;
        long found;
        int retained;
        AtomicInteger evaluations = new AtomicInteger();
        try (Group g = Group.builder("ledger").store(Store.directoryBuilder(dir).retainCheckpoints(steps + 2).open())
                .retainCheckpoints(steps + 2).checkpointEvery(Duration.ZERO).open()) {
            TMap<String, Long> ledger = g.newMap("ledger");
            g.atomic(() -> {
                for (int i = 0; i < ACCOUNTS; i++) {
                    ledger.put("account-" + i, OPENING);
                }
            });
            g.barrier().join(); // period zero: no flusher; each barrier is one checkpoint, written on this thread
            for (int step = 1; step <= steps; step++) {
                String from = "account-" + random.nextInt(ACCOUNTS);
                String to = "account-" + random.nextInt(ACCOUNTS);
                long amount = 1 + random.nextInt(50);
                boolean bug = step == buggyStep;
                g.atomic(() -> {
                    if (!bug) { // the bug: the debit is forgotten, money appears out of nowhere
                        ledger.put(from, ledger.get(from) - amount);
                    }
                    ledger.put(to, ledger.get(to) + amount);
                });
                Checkpoint cp = g.barrier().join();
                if (bug) {
                    buggy = cp;
                }
            }
            Predicate<CheckpointView> conserved = new TotalConserved();
            Optional<Checkpoint> first = g.bisect(view -> {
                evaluations.incrementAndGet();
                return conserved.test(view);
            });
            found = first.orElseThrow(() -> new AssertionError("the invariant holds at the newest checkpoint")).id();
            System.out.printf("%d steps, %d checkpoints retained: bisect evaluated %d views and found %s%n", steps,
                    g.history().size(), evaluations.get(), first.get());
            System.out.printf("the bug was planted at %s%n", buggy);
            retained = g.history().size();
        }
        // the writer's retention, not the default 16: an open applies retention and would drop the older checkpoints
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(steps + 2).open()) {
            StoredCheckpoint onDisk = DurableHistory.bisect(store, new TotalConserved()).orElseThrow();
            System.out.printf("in %s, after the group closed: first durable checkpoint breaking it: %d%n", dir,
                    onDisk.id());
            return new Result(buggy.id(), found, evaluations.get(), retained, onDisk.id());
        }
    }

    /** {@code LedgerBisect [steps] [buggyStep]}: defaults 200 and 137, in a temporary directory. */
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int buggyStep = args.length > 1 ? Integer.parseInt(args[1]) : 137;
        Path dir = Files.createTempDirectory("ledger-bisect");
        run(dir, steps, buggyStep);
        System.out.printf("the store is left in %s: try ./build sls bisect %s --predicate "
                + "'io.aurora4j.examples.bisect.LedgerBisect$TotalConserved' --classpath examples/target/classes%n", dir, dir);
    }
}
