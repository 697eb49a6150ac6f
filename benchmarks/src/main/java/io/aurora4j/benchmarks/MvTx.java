package io.aurora4j.benchmarks;

import java.util.HashSet;
import java.util.function.ToLongFunction;

import org.h2.engine.IsolationLevel;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.tx.Transaction;
import org.h2.mvstore.tx.TransactionMap;
import org.h2.mvstore.tx.TransactionStore;
import org.h2.value.VersionedValue;

/**
 * H2 MVStore as a transactional peer for W1–W3: an in-memory {@link MVStore} with a {@link TransactionStore}
 * over one map {@code Integer -> Long} of {@code n} rows — the layer H2's own SQL engine runs its
 * transactions on.
 *
 * <p>Each transaction binds the map with {@link Transaction#openMapX} on the already-open raw map, as H2's
 * tables do, rather than looking the map up by name each time. Row locks wait up to
 * {@link #LOCK_TIMEOUT_MILLIS}; a transaction that fails anyway (lock timeout, deadlock) is rolled back and
 * run again, like an STM retry.
 */
final class MvTx implements AutoCloseable {
    static final int LOCK_TIMEOUT_MILLIS = 10_000;

    private static final TransactionStore.RollbackListener NO_LISTENER = (map, key, existing, restored) -> { };

    private final MVStore store;
    private final TransactionStore transactions;
    final MVMap<Integer, VersionedValue<Long>> raw;
    /** The maps a statement snapshots, in the form {@link Transaction#markStatementStart} takes; only {@link #raw}. */
    private final HashSet<MVMap<Object, VersionedValue<Object>>> statementMaps = new HashSet<>();

    MvTx(String name, int n, long initial) {
        store = new MVStore.Builder().autoCommitDisabled().open();   // no file name: in memory
        transactions = new TransactionStore(store);
        transactions.init();
        Transaction tx = transactions.begin();
        TransactionMap<Integer, Long> map = tx.openMap(name);
        for (int i = 0; i < n; i++) {
            map.put(i, initial);
        }
        tx.commit();
        raw = map.map;
        @SuppressWarnings({"unchecked", "rawtypes"})
        MVMap<Object, VersionedValue<Object>> untyped = (MVMap) raw;
        statementMaps.add(untyped);
    }

    Transaction begin(IsolationLevel level) {
        return transactions.begin(NO_LISTENER, LOCK_TIMEOUT_MILLIS, 0, level);
    }

    /** Runs {@code body} in a READ_COMMITTED transaction, committing it, and retrying it after a lock failure. */
    long run(ToLongFunction<TransactionMap<Integer, Long>> body) {
        while (true) {
            Transaction tx = begin(IsolationLevel.READ_COMMITTED);
            try {
                long result = body.applyAsLong(tx.openMapX(raw));
                tx.commit();
                return result;
            } catch (MVStoreException e) {
                tx.rollback();   // lock timeout or deadlock: the other transaction wins, this one runs again
            }
        }
    }

    /**
     * Sums {@code keys} in one read-only transaction that reads from a single snapshot of the map, the way
     * one {@code SELECT SUM(v) ... WHERE id IN (...)} statement does in H2: {@code markStatementStart} fixes
     * the snapshot, {@code getFromSnapshot} reads from it. (A plain {@code get} reads the latest committed
     * value of each row, which would not be a consistent sum under concurrent writers.)
     */
    long sumFromSnapshot(int[] keys) {
        Transaction tx = begin(IsolationLevel.READ_COMMITTED);
        tx.markStatementStart(statementMaps);
        TransactionMap<Integer, Long> map = tx.openMapX(raw);
        long sum = 0;
        for (int key : keys) {
            sum += map.getFromSnapshot(key);
        }
        tx.markStatementEnd();
        tx.commit();
        return sum;
    }

    /** The committed value of row {@code key}, outside any transaction of the benchmark. */
    long committed(int key) {
        Transaction tx = transactions.begin();
        try {
            return tx.openMapX(raw).get(key);
        } finally {
            tx.commit();
        }
    }

    @Override
    public void close() {
        transactions.close();
        store.close();
    }
}
