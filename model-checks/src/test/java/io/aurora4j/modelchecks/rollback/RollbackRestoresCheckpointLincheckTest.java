package io.aurora4j.modelchecks.rollback;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * A rollback restores exactly the checkpoint's values, and a checkpoint's view shows exactly them
 * (ARCHITECTURE.md invariants 3 and 4), checked for linearizability against {@link Spec}, which keeps a saved
 * copy of the values.
 *
 * <p>The test keeps one checkpoint "slot". {@code save()} takes a checkpoint into the slot, {@code restore()}
 * rolls back to the slot's checkpoint (it stays retained and can be restored again), {@code savedValue(i)}
 * reads counter {@code i} through the slot's view. The three take one test-side lock, so they are
 * ordered among themselves; everything else (adds and map writes, each its own transaction, and plain
 * reads) runs concurrently with them, which is the point: a checkpoint must be a cut between commits,
 * and a rollback must put back every object (counters, map entries present and absent at the checkpoint)
 * at once, with no commit half on either side. A checkpoint and the slot write are one step under the lock,
 * so the operation is linearizable at the cut; without the lock, two saves could publish their checkpoints
 * in the opposite order of their cuts.
 */
@Param(name = "i", gen = IntGen.class, conf = "0:1")
@Param(name = "key", gen = IntGen.class, conf = "1:2")
@Param(name = "delta", gen = IntGen.class, conf = "1:3")
public abstract class RollbackRestoresCheckpointLincheckTest extends AbstractLincheckTest {

    static final Throwable CAUSE = new RuntimeException("model check");

    protected final Group group;
    protected final TLong[] counters = new TLong[2];
    protected final TMap<Integer, Integer> map;
    private final ReentrantLock slotLock = new ReentrantLock();
    private Checkpoint slot; // guarded by slotLock

    protected RollbackRestoresCheckpointLincheckTest(Group group) {
        this.group = group;
        counters[0] = group.newLong("c0", 0);
        counters[1] = group.newLong("c1", 0);
        map = group.newMap("m");
        map.put(1, 0); // key 1 present at the start, key 2 absent: a rollback must restore both kinds
    }

    @Operation
    public long get(@Param(name = "i") int i) {
        return counters[i].get();
    }

    @Operation
    public long add(@Param(name = "i") int i, @Param(name = "delta") int delta) {
        return counters[i].add(delta);
    }

    @Operation
    public Integer mapGet(@Param(name = "key") int k) {
        return map.get(k);
    }

    @Operation
    public Integer mapPut(@Param(name = "key") int k, @Param(name = "delta") int v) {
        return map.put(k, v);
    }

    @Operation
    public Integer mapRemove(@Param(name = "key") int k) {
        return map.remove(k);
    }

    /** Takes a checkpoint into the slot. */
    @Operation
    public void save() {
        slotLock.lock();
        try {
            slot = group.checkpoint();
        } finally {
            slotLock.unlock();
        }
    }

    /** Rolls back to the slot's checkpoint; false if nothing was saved yet. */
    @Operation
    public boolean restore() {
        slotLock.lock();
        try {
            if (slot == null) {
                return false;
            }
            group.rollback(slot, CAUSE);
            return true;
        } finally {
            slotLock.unlock();
        }
    }

    /** Counter {@code i} as of the slot's checkpoint; -1 if nothing was saved yet. */
    @Operation
    public long savedValue(@Param(name = "i") int i) {
        slotLock.lock();
        try {
            return slot == null ? -1 : slot.view().get(counters[i]);
        } finally {
            slotLock.unlock();
        }
    }

    /**
     * A save and a restore cutting through commits to every kind of object; and a restore while an add of
     * the checkpoint's epoch is writing back (the commit gate must make the rollback wait for it).
     */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                after(thread(call("add", 0, 1)),
                        thread(call("add", 0, 2), call("mapRemove", 1)),
                        thread(call("save"), call("savedValue", 0)),
                        thread(call("mapPut", 2, 3), call("restore"))).then(call("get", 0), call("mapGet", 2)),
                after(thread(call("save"), call("add", 0, 1)),
                        thread(call("add", 0, 2)),
                        thread(call("restore")),
                        thread(call("get", 0))).then(call("get", 0)));
    }

    /** The sequential specification: the values, and a saved copy of them. */
    public static final class Spec {
        private long[] counters = {0, 0};
        private Map<Integer, Integer> map = new HashMap<>(Map.of(1, 0));
        private long[] savedCounters;
        private Map<Integer, Integer> savedMap;

        public long get(int i) {
            return counters[i];
        }

        public long add(int i, int delta) {
            return counters[i] += delta;
        }

        public Integer mapGet(int k) {
            return map.get(k);
        }

        public Integer mapPut(int k, int v) {
            return map.put(k, v);
        }

        public Integer mapRemove(int k) {
            return map.remove(k);
        }

        public void save() {
            savedCounters = counters.clone();
            savedMap = new HashMap<>(map);
        }

        public boolean restore() {
            if (savedCounters == null) {
                return false;
            }
            counters = savedCounters.clone();
            map = new HashMap<>(savedMap);
            return true;
        }

        public long savedValue(int i) {
            return savedCounters == null ? -1 : savedCounters[i];
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
