package io.aurora4j.modelchecks.linearizability;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * {@link TMap} is linearizable: its single operations (each its own transaction outside {@code atomic},
 * or part of one inside) behave as if they ran one at a time, in an order that respects real time, and
 * return what a {@link HashMap} would ({@link Spec}). Keys and values come from 1..3 so that operations
 * collide; {@code putBoth} writes two keys in one transaction, and {@code snapshot} reads the whole map,
 * so a transaction whose writes became visible one by one shows as a snapshot holding one key of a pair
 * without the other.
 *
 * <p>Configurations choose whether each operation runs on its own ({@link #run} as is) or inside
 * {@code group.atomic}, since the two take different paths through the transaction machinery.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public abstract class TMapLincheckTest extends AbstractLincheckTest {

    protected final Group group = Group.inMemory("tmap");
    protected final TMap<Integer, Integer> map = group.newMap("m");

    /** Runs one operation: on its own, or inside a transaction. */
    protected abstract <T> T run(Supplier<T> op);

    @Operation
    public Integer get(@Param(name = "key") int k) {
        return run(() -> map.get(k));
    }

    @Operation
    public Integer put(@Param(name = "key") int k, @Param(name = "value") int v) {
        return run(() -> map.put(k, v));
    }

    @Operation
    public Integer putIfAbsent(@Param(name = "key") int k, @Param(name = "value") int v) {
        return run(() -> map.putIfAbsent(k, v));
    }

    @Operation
    public Integer remove(@Param(name = "key") int k) {
        return run(() -> map.remove(k));
    }

    @Operation
    public boolean containsKey(@Param(name = "key") int k) {
        return run(() -> map.containsKey(k));
    }

    @Operation
    public int size() {
        return run(map::size);
    }

    /** Puts {@code v} under two keys in one transaction. */
    @Operation
    public void putBoth(@Param(name = "key") int k1, @Param(name = "key") int k2, @Param(name = "value") int v) {
        group.atomic(() -> {
            map.put(k1, v);
            map.put(k2, v);
        });
    }

    /** A copy of the whole map; compared with {@link Map#equals}. */
    @Operation
    public Map<Integer, Integer> snapshot() {
        return run(map::snapshot);
    }

    /**
     * Two {@code putIfAbsent}s of one absent key against a remove; a two-key transaction against a
     * snapshot and a write to one of its keys.
     */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                parallel(
                        thread(call("putIfAbsent", 1, 1)),
                        thread(call("putIfAbsent", 1, 2)),
                        thread(call("remove", 1), call("size"))),
                parallel(
                        thread(call("putBoth", 1, 2, 3)),
                        thread(call("snapshot")),
                        thread(call("put", 2, 1), call("containsKey", 1))));
    }

    /** The sequential specification. */
    public static final class Spec {
        private final Map<Integer, Integer> m = new HashMap<>();

        public Integer get(int k) {
            return m.get(k);
        }

        public Integer put(int k, int v) {
            return m.put(k, v);
        }

        public Integer putIfAbsent(int k, int v) {
            return m.putIfAbsent(k, v);
        }

        public Integer remove(int k) {
            return m.remove(k);
        }

        public boolean containsKey(int k) {
            return m.containsKey(k);
        }

        public int size() {
            return m.size();
        }

        public void putBoth(int k1, int k2, int v) {
            m.put(k1, v);
            m.put(k2, v);
        }

        public Map<Integer, Integer> snapshot() {
            return Map.copyOf(m);
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
