package io.aurora4j.txn.spi;

import io.aurora4j.txn.Group;

import java.util.List;

/**
 * Receives the items a transaction staged with {@link TxnSpi#stage}, at its commit point.
 *
 * <p>Called on the committing thread while the transaction still holds the locks of everything it wrote,
 * after validation succeeded, so calls for transactions that conflict arrive in their serialization order.
 * It must be quick, must not block and must not start transactions; an exception it throws is reported to
 * the group's hook error handler and does not undo the commit.
 *
 * @param <T> the type of the items staged for this sink: {@link TxnSpi#stage} accepts only those
 */
@FunctionalInterface
public interface CommitSink<T> {
    /**
     * @param group         the group
     * @param commitVersion the commit's version (a read-only transaction passes its read version)
     * @param epoch         the epoch the commit belongs to (see {@link TxnSpi#currentEpoch})
     * @param items         what the transaction staged for this sink, in staging order
     */
    void committed(Group group, long commitVersion, long epoch, List<T> items);
}
