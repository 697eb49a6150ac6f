package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Atomicity and isolation of transactions over {@link TLong}s (ARCHITECTURE.md invariants 1 and 2): money moves
 * between accounts inside {@code group.atomic}, while other threads read single accounts, add to them
 * outside any transaction (each add its own transaction) and read the sum of all accounts in one
 * transaction. Every interleaving must be explainable by some sequential order of the operations, checked
 * against {@link Spec}, a plain array of longs. A transfer whose debit is seen without its credit changes
 * {@code sum()}; a lost update (two read-modify-write transfers both committing from the same read)
 * changes a balance; both fail the check.
 *
 * <p>Accounts are numbered {@code 0..2}; a configuration with fewer accounts folds the index with
 * {@code % accounts}. Amounts are 1..3 so that lost updates are visible in every balance.
 */
@Param(name = "account", gen = IntGen.class, conf = "0:2")
@Param(name = "amount", gen = IntGen.class, conf = "1:3")
public abstract class TransferLincheckTest extends AbstractLincheckTest {

    static final long INITIAL = 100;

    protected final Group group;
    protected final TLong[] accounts;

    protected TransferLincheckTest(Group group, int accounts) {
        this.group = group;
        this.accounts = new TLong[accounts];
        for (int i = 0; i < accounts; i++) {
            this.accounts[i] = group.newLong("acct-" + i, INITIAL);
        }
    }

    private TLong account(int i) {
        return accounts[i % accounts.length];
    }

    /** Moves {@code amount} from one account to another by read-modify-write of both, in one transaction. */
    @Operation
    public void transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                         @Param(name = "amount") int amount) {
        TLong a = account(from);
        TLong b = account(to);
        group.atomic(() -> {
            a.set(a.get() - amount);
            b.set(b.get() + amount);
        });
    }

    /** The sum of all balances, read in one transaction. */
    @Operation
    public long sum() {
        return group.atomic(() -> {
            long s = 0;
            for (TLong a : accounts) {
                s += a.get();
            }
            return s;
        });
    }

    /** One balance, read outside any transaction. */
    @Operation
    public long get(@Param(name = "account") int i) {
        return account(i).get();
    }

    /** Adds to one balance outside any transaction: its own transaction. */
    @Operation
    public long add(@Param(name = "account") int i, @Param(name = "amount") int amount) {
        return account(i).add(amount);
    }

    /** Two transfers in opposite directions over one pair against a sum: the race the test exists for. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(parallel(
                thread(call("transfer", 0, 1, 1)),
                thread(call("transfer", 1, 0, 2)),
                thread(call("sum"), call("get", 0))));
    }

    /** The sequential specification: plain longs. */
    public abstract static class Spec {
        private final long[] balances;

        protected Spec(int accounts) {
            balances = new long[accounts];
            java.util.Arrays.fill(balances, INITIAL);
        }

        public void transfer(int from, int to, int amount) {
            balances[from % balances.length] -= amount;
            balances[to % balances.length] += amount;
        }

        public long sum() {
            long s = 0;
            for (long b : balances) {
                s += b;
            }
            return s;
        }

        public long get(int i) {
            return balances[i % balances.length];
        }

        public long add(int i, int amount) {
            return balances[i % balances.length] += amount;
        }
    }
}
