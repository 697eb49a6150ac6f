package io.aurora4j.modelchecks.matrix;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One generated operation: a kind and a parameter drawn from the seed. What the parameter chooses (the actions of
 * a transaction, the bytes written, which retained checkpoint) is resolved by {@link Sequence} from the parameter
 * and the group's state, so a sequence replays exactly from its seed.
 */
record Op(Kind kind, long param) {
    enum Kind {
        /** {@code atomic} with 1..4 actions on the longs, the ref, the map and the region; one in ten throws (aborts). */
        TX,
        /** {@code TLong.set} outside any transaction. */
        RAW_LONG,
        /** {@code TMap.put} or {@code remove}, each its own transaction. */
        MAP,
        /** raw {@code Region.putBytes} of 1 byte to 1.5 pages (page 0 only in a lazy configuration). */
        RAW_REGION,
        /** {@code checkpoint()}. */
        CHECKPOINT,
        /** {@code rollback} to a retained checkpoint the oracle knows. */
        ROLLBACK,
        /** {@code barrier().join()}, then the store's newest durable checkpoint is compared with the oracle. */
        BARRIER,
        /** an append to the durable log {@code events}. */
        LOG,
        /** close (a last checkpoint to disk) and {@code open} again: regions come back lazily. */
        REOPEN,
        /** {@code fork} of a retained checkpoint: compared, written, closed; the parent must not change. */
        FORK,
        /** {@code send} of a retained checkpoint and {@code receive} of the image: compared. */
        SEND,
        /** reads every region byte, live and in every retained checkpoint (loads lazily restored pages). */
        TOUCH,
        /** {@code Speculation.begin}: a pending checkpoint (at most one pending at a time). */
        SPEC_BEGIN,
        /** confirm (even parameter) or fail (odd) the pending speculation. */
        SPEC_END
    }

    /**
     * {@code length} operations for {@code spec}, drawn from {@code rnd}. Operations a configuration does not have
     * (durable ones in memory, speculation where it is off, {@code TOUCH} where every operation reads the region
     * anyway) are never drawn.
     */
    static List<Op> generate(Spec spec, Random rnd, int length) {
        List<Kind> bag = new ArrayList<>();
        add(bag, Kind.TX, 18);
        add(bag, Kind.RAW_LONG, 5);
        add(bag, Kind.MAP, 5);
        add(bag, Kind.RAW_REGION, 12);
        add(bag, Kind.CHECKPOINT, 8);
        add(bag, Kind.ROLLBACK, 6);
        add(bag, Kind.FORK, 2);
        add(bag, Kind.SEND, 2);
        if (spec.durable()) {
            add(bag, Kind.BARRIER, 22);
            add(bag, Kind.LOG, 4);
            add(bag, Kind.REOPEN, spec.lazy() ? 2 : 3);
        }
        if (spec.lazy()) {
            add(bag, Kind.TOUCH, 2);
        }
        if (spec.speculation()) {
            add(bag, Kind.SPEC_BEGIN, 4);
            add(bag, Kind.SPEC_END, 4);
        }
        List<Op> ops = new ArrayList<>(length);
        if (spec.lazy()) {
            ops.add(new Op(Kind.REOPEN, 0)); // every page of the region is on disk: reopen, then leave them alone
        }
        while (ops.size() < length) {
            ops.add(new Op(bag.get(rnd.nextInt(bag.size())), rnd.nextLong() & Long.MAX_VALUE));
        }
        return ops;
    }

    private static void add(List<Kind> bag, Kind kind, int weight) {
        for (int i = 0; i < weight; i++) {
            bag.add(kind);
        }
    }

    @Override
    public String toString() {
        return kind + "(" + param + ")";
    }
}
