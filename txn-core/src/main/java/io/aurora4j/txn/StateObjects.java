package io.aurora4j.txn;

/**
 * One job: the per-kind operations the group applies to its state objects (name, creation epoch, discard), each one
 * exhaustive switch over the sealed {@link StateObject}. None of them is callable by users: the methods they reach
 * are package-private.
 */
final class StateObjects {
    private StateObjects() {
    }

    /** "TLong", "TRef", "TMap" or "Region", for error messages. */
    static String kind(StateObject o) {
        return switch (o) {
            case TLong x -> "TLong";
            case TRef<?> x -> "TRef";
            case TMap<?, ?> x -> "TMap";
            case Region x -> "Region";
        };
    }

    /** The epoch in which the object was created: it exists at a checkpoint whose closed epoch is not older. */
    static long createdEpoch(StateObject o) {
        return switch (o) {
            case TLong x -> x.createdEpoch;
            case TRef<?> x -> x.createdEpoch;
            case TMap<?, ?> x -> x.createdEpoch;
            case Region x -> x.createdEpoch;
        };
    }

    /** Marks the object dead: it was created after the checkpoint a rollback returned to. Admin lock held, gate closed. */
    static void discard(StateObject o, long version) {
        switch (o) {
            case TLong x -> x.discard(version);
            case TRef<?> x -> x.discard(version);
            case TMap<?, ?> x -> x.discard(version);
            case Region x -> x.discard(version);
        }
    }

    /** Whether the object is a region excluded from checkpoints (never written, whatever its persistence policy). */
    static boolean excludedFromCheckpoints(StateObject o) {
        return switch (o) {
            case TLong x -> false;
            case TRef<?> x -> false;
            case TMap<?, ?> x -> false;
            case Region x -> x.isExcludedFromCheckpoints();
        };
    }

    /** Frees what the object holds outside the heap when its group closes: a region's pages. Admin lock held. */
    static void closeWithGroup(StateObject o) {
        switch (o) {
            case TLong x -> { }
            case TRef<?> x -> { }
            case TMap<?, ?> x -> { }
            case Region x -> x.close();
        }
    }
}
