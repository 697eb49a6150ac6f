package io.aurora4j.txn;

import java.util.function.Supplier;

/**
 * One job: {@link Group#orElse(Supplier, Supplier)}, composition of alternatives that may block in
 * {@link Group#retry()}.
 *
 * <p>Each alternative runs as a nested transaction ({@link Group#atomic(Supplier)} inside the running one): when it
 * retries, the nested scope undoes its writes (and only its) and runs its after-rollback hooks, while its reads stay
 * in the attempt's read set. So when the second alternative retries too, the signal reaches the top-level loop with
 * the reads of both in the read set, and the wait ends on a change to anything either read (as in ScalaSTM's
 * {@code orAtomic} and Multiverse's {@code orelse}). Outside any transaction, the whole call is one transaction.
 */
final class OrElse {
    private OrElse() {
    }

    static <R> R run(Group g, Supplier<R> first, Supplier<R> second) {
        if (!g.inTransaction()) {
            return g.atomic(() -> run(g, first, second)); // a transaction of another group fails there, naming both
        }
        try {
            return g.atomic(first);
        } catch (RetrySignal blocked) {
            // first's writes are undone; its reads stay, so a retry of second waits on both
        }
        return g.atomic(second);
    }
}
