package io.aurora4j.store;

/**
 * What a store holds and how its cleaning stands, as of one moment ({@link Store#stats()}): for operators,
 * tools ({@code sls describe}) and tests, instead of casting to the store's implementation classes. Figures of a
 * checkpoint being written are not included until it commits.
 *
 * <p>Components that do not apply to a store are 0 (and {@link Cleaning#NONE}): the memory store has no segments
 * and reclaims by itself.
 *
 * @param segments         segment files the store uses
 * @param segmentBytes     bytes of committed records in those segment files (a write in progress not counted)
 * @param liveBytes        record bytes the newest checkpoint's state uses (what a full checkpoint would write; the memory
 *                         store counts value bytes)
 * @param reclaimableBytes bytes only a full checkpoint or cleaning can reclaim ({@link Store#reclaimableBytes()})
 * @param relocatedBytes   bytes of records cleaning copied forward in checkpoints committed since the store opened
 * @param relocatedRecords records cleaning copied forward in checkpoints committed since the store opened
 * @param cleaning         the state of cleaning
 * @param stalledBecause   why cleaning stopped (an unreadable or corrupt record, named by file and offset) if
 *                         {@code cleaning} is {@link Cleaning#STALLED}, otherwise null
 */
public record StoreStats(int segments, long segmentBytes, long liveBytes, long reclaimableBytes, long relocatedBytes,
                         long relocatedRecords, Cleaning cleaning, String stalledBecause) {

    /** The state of a store's cleaning (copying live records forward so old segments can be deleted). */
    public enum Cleaning {
        /** The store does not clean: it has no segments (the memory store) or does not say. */
        NONE,
        /** Turned off by the builder ({@code DirectoryStoreBuilder.cleaning(false)}). */
        OFF,
        /** On, copying forward within its budget when its trigger fires. */
        RUNNING,
        /** Stopped for the store's life by a record it could not read or check ({@code stalledBecause} says which). */
        STALLED
    }

    /** Checks the figures are not negative and {@code stalledBecause} is given exactly when cleaning stalled. */
    public StoreStats {
        if (segments < 0 || segmentBytes < 0 || liveBytes < 0 || reclaimableBytes < 0 || relocatedBytes < 0
                || relocatedRecords < 0) {
            throw new IllegalArgumentException("negative figure in " + segments + " segments, " + segmentBytes
                    + " segment bytes, " + liveBytes + " live, " + reclaimableBytes + " reclaimable, "
                    + relocatedBytes + " relocated bytes, " + relocatedRecords + " relocated records");
        }
        if (cleaning == null || (cleaning == Cleaning.STALLED) != (stalledBecause != null)) {
            throw new IllegalArgumentException("cleaning " + cleaning + " with stalledBecause " + stalledBecause);
        }
    }

    /** Stats of a store with no segments that does not clean, {@code liveBytes} and {@code reclaimableBytes} apart. */
    public static StoreStats withoutSegments(long liveBytes, long reclaimableBytes) {
        return new StoreStats(0, 0, liveBytes, reclaimableBytes, 0, 0, Cleaning.NONE, null);
    }
}
