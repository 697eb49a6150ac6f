package io.aurora4j.examples;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo a newcomer runs first ({@code ./build demo}): transfers on four threads, a checkpoint, a batch
 * job that fails half way, a rollback to the checkpoint, and the rollback handler's conservative path.
 */
public final class Demo {
    private static final String[] NAMES = {"alice", "bob", "carol", "dave"};

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        try (Group bank = Group.inMemory("bank")) {
            TLong[] accounts = new TLong[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                accounts[i] = bank.newLong(NAMES[i], 1_000);
            }
            TMap<String, String> audit = bank.newMap("audit");
            say("A group 'bank' holds 4 accounts of 1000 each (total 4000) and an audit map.");

            // 1. Transactions across threads.
            int threads = 4;
            int perThread = 25_000;
            AtomicLong bodyRuns = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                long seed = t;
                pool.execute(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int n = 0; n < perThread; n++) {
                        TLong from = accounts[random.nextInt(accounts.length)];
                        TLong to = accounts[random.nextInt(accounts.length)];
                        long amount = 1 + random.nextInt(20);
                        bank.atomic(() -> {
                            bodyRuns.incrementAndGet();
                            if (from.get() >= amount) { // never overdraw: checked and applied atomically
                                from.add(-amount);
                                to.add(amount);
                            }
                        });
                    }
                    done.countDown();
                });
            }
            done.await(60, TimeUnit.SECONDS);
            pool.shutdown();
            say("");
            say("1. %d threads ran %,d transfer transactions; %,d body runs (the extra %,d were conflicts, retried).",
                    threads, threads * perThread, bodyRuns.get(), bodyRuns.get() - (long) threads * perThread);
            say("   balances %s, total %d (conserved: every transfer was atomic and isolated).",
                    balances(bank, accounts), total(bank, accounts));

            // 2. A failing transaction leaves nothing behind.
            try {
                bank.atomic(() -> {
                    accounts[0].add(-500);
                    audit.put("half-done", "alice paid 500 to nobody");
                    throw new IllegalStateException("payee account closed");
                });
            } catch (IllegalStateException e) {
                say("");
                say("2. A transfer threw '%s': its writes were discarded (audit has %d entries, alice still %d).",
                        e.getMessage(), audit.size(), accounts[0].get());
            }

            // 3. A checkpoint, then a batch job that commits step by step and fails half way.
            Checkpoint beforeBatch = bank.checkpoint("before-batch");
            say("");
            say("3. Took %s: O(1), nothing copied; later first writes keep pre-images.", beforeBatch);
            say("   Batch job: pay 10%% interest to each account, one transaction per account.");

            bank.onRollback(event -> conservativePath(event, bank, accounts));

            Exception failure = null;
            try {
                for (int step = 0; step < NAMES.length; step++) {
                    int i = step;
                    if (step == 2) {
                        throw new IllegalStateException("interest-rate service timed out before paying " + NAMES[i]);
                    }
                    bank.atomic(() -> {
                        long interest = accounts[i].get() / 10;
                        accounts[i].add(interest);
                        audit.put(NAMES[i], "interest " + interest + " paid");
                    });
                    say("   step %d committed: %s got interest -> balances %s, total %d",
                            step + 1, NAMES[i], balances(bank, accounts), total(bank, accounts));
                }
            } catch (IllegalStateException e) {
                failure = e;
                say("   step 3 failed: %s. Two accounts got interest, two did not: inconsistent.", e.getMessage());
            }

            // 4. Roll the whole group back to the checkpoint; the listener takes the conservative path.
            if (failure != null) {
                say("");
                say("4. Rolling the group back to %s ...", beforeBatch);
                RollbackEvent event = bank.rollback(beforeBatch, failure);
                bank.notificationsDelivered().get(10, TimeUnit.SECONDS);
                say("   rollback restored %d objects (its cost follows what changed, not what exists).", event.restoredObjects());
                say("   final: balances %s, total %d, audit %s",
                        balances(bank, accounts), total(bank, accounts), audit.snapshot().keySet());
            }

            // 5. Time travel: read the checkpoint without rolling back.
            bank.atomic(() -> accounts[3].add(1));
            say("");
            say("5. dave is %d now and was %d at %s (a view, no rollback). Retained history: %s",
                    accounts[3].get(), beforeBatch.view().get(accounts[3]), beforeBatch.label().orElse("?"),
                    bank.history().stream().map(Checkpoint::id).toList());
        }
    }

    private static void conservativePath(RollbackEvent event, Group bank, TLong[] accounts) {
        say("   handler: group '%s' rolled back (rollback #%d) to checkpoint #%d '%s' because: %s",
                event.groupName(), event.sequence(), event.checkpoint().id(),
                event.checkpoint().label().orElse(""), event.cause().getMessage());
        say("   handler: state is already restored: balances %s, total %d", balances(bank, accounts), total(bank, accounts));
        say("   handler: conservative path: pay the last known rate (10%%) to every account in ONE transaction");
        bank.atomic(() -> {
            for (TLong account : accounts) {
                account.add(account.get() / 10);
            }
        });
    }

    private static String balances(Group bank, TLong[] accounts) {
        return bank.atomic(() -> {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < accounts.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(NAMES[i]).append('=').append(accounts[i].get());
            }
            return sb.append(']').toString();
        });
    }

    private static long total(Group bank, TLong[] accounts) {
        return bank.atomic(() -> {
            long sum = 0;
            for (TLong a : accounts) {
                sum += a.get();
            }
            return sum;
        });
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }

    static List<String> names() {
        return List.of(NAMES);
    }
}
