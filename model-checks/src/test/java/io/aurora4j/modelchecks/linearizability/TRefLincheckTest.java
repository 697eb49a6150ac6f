package io.aurora4j.modelchecks.linearizability;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TRef;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * {@link TRef} is linearizable against a plain field ({@link Spec}). Values are the strings "v0".."v2";
 * every operation builds a <em>new</em> String instance, so {@code compareAndSet}, which compares with
 * {@code equals}, is checked to be equals-based and not identity-based. {@code updateAndGet} advances
 * "vN" to "v(N+1 mod 3)", a read-modify-write that loses updates if it is not atomic.
 */
@Param(name = "v", gen = IntGen.class, conf = "0:2")
public abstract class TRefLincheckTest extends AbstractLincheckTest {

    protected final Group group = Group.inMemory("tref");
    protected final TRef<String> ref = group.newRef("r", value(0));

    /** A new String instance for value {@code i} (never interned, never the same object twice). */
    static String value(int i) {
        return new String("v" + i);
    }

    static String next(String s) {
        return value((Integer.parseInt(s.substring(1)) + 1) % 3);
    }

    /** Runs one operation: on its own, or inside a transaction. */
    protected abstract <T> T run(Supplier<T> op);

    @Operation
    public String get() {
        return run(ref::get);
    }

    @Operation
    public void set(@Param(name = "v") int v) {
        run(() -> {
            ref.set(value(v));
            return null;
        });
    }

    @Operation
    public boolean compareAndSet(@Param(name = "v") int expected, @Param(name = "v") int update) {
        return run(() -> ref.compareAndSet(value(expected), value(update)));
    }

    @Operation
    public String getAndSet(@Param(name = "v") int v) {
        return run(() -> ref.getAndSet(value(v)));
    }

    @Operation
    public String updateAndGet() {
        return run(() -> ref.updateAndGet(TRefLincheckTest::next));
    }

    /** Two CASes from the same expected value against a read-modify-write. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(parallel(
                thread(call("compareAndSet", 0, 1)),
                thread(call("compareAndSet", 0, 2)),
                thread(call("updateAndGet"), call("get"))));
    }

    /** The sequential specification. */
    public static final class Spec {
        private String value = value(0);

        public String get() {
            return value;
        }

        public void set(int v) {
            value = value(v);
        }

        public boolean compareAndSet(int expected, int update) {
            if (Objects.equals(value, value(expected))) {
                value = value(update);
                return true;
            }
            return false;
        }

        public String getAndSet(int v) {
            String old = value;
            value = value(v);
            return old;
        }

        public String updateAndGet() {
            return value = next(value);
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
