package io.aurora4j.modelchecks.extension;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.modelchecks.LincheckBudget;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.ExtensionKey;
import io.aurora4j.txn.spi.TxnSpi;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * A group's extension slot ({@link TxnSpi#extension}) creates each extension once: threads that ask for the
 * same group's extension at the same time all get the one instance, and its creator ran once. That is what
 * lets the boundaries' coordinator and the speculation chain register their rollback participant in their
 * creator without a global registry: a second creation would register a second participant.
 *
 * <p>{@code extension} asks for the extension and returns its serial number (the creator numbers what it
 * creates, 1, 2, ...); {@code outer} asks for a second extension whose creator asks for the first one, as
 * the speculation chain's creator asks for the boundaries' holds, so the nested creation races the direct
 * one; {@code creations} is how many times the first extension's creator ran. The specification: every
 * answer is 1, and {@code creations} is 1 once anyone has asked.
 */
public abstract class GroupExtensionLincheckTest extends AbstractLincheckTest {

    /** What the slot keeps: numbered by its creator. */
    protected record Ext(int serial) {
    }

    protected final Group group = Group.inMemory("extensions");
    protected final ExtensionKey<Ext> key = ExtensionKey.named("model-check extension");
    private final ExtensionKey<Ext> outerKey = ExtensionKey.named("model-check outer extension");
    protected final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger outerCreated = new AtomicInteger();

    /** The group's extension for {@link #key}, created once. */
    protected Ext obtain() {
        return TxnSpi.extension(group, key, g -> new Ext(created.incrementAndGet()));
    }

    @Operation
    public int extension() {
        return obtain().serial();
    }

    @Operation
    public int outer() {
        return TxnSpi.extension(group, outerKey, g -> {
            obtain(); // a creator that creates another extension of the same group
            return new Ext(outerCreated.incrementAndGet());
        }).serial();
    }

    @Operation
    public int creations() {
        return created.get();
    }

    /**
     * A quarter of the standard interleavings: each invocation opens a group (110 s for the module's two runners at
     * the full standard weight on CI); the custom scenarios, run first, hold the races this test is for.
     */
    @Override
    protected LincheckBudget budget() {
        return LincheckBudget.standard().withActorsPerThread(2).withActorsBefore(0)
                .withWeight(LincheckBudget.STANDARD_WEIGHT / 4);
    }

    /** Two threads asking at once, and a nested creation racing a direct one; then the count. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                parallel(thread(call("extension")), thread(call("extension"))).then(call("creations")),
                parallel(thread(call("outer")), thread(call("extension")), thread(call("creations"))).then(call("creations")));
    }

    /** The sequential specification. */
    public static final class Spec {
        private boolean made;

        public int extension() {
            made = true;
            return 1;
        }

        public int outer() {
            made = true;
            return 1;
        }

        public int creations() {
            return made ? 1 : 0;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
