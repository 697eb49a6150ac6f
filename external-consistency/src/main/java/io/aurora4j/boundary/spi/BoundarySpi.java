package io.aurora4j.boundary.spi;

import io.aurora4j.txn.Group;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The hook other Aurora4j modules (speculation) need from the boundaries: adding a reason to hold a
 * group's outputs back. This package is exported only to those modules; applications use
 * {@code io.aurora4j.boundary}.
 *
 * <p>A release condition is a watermark over epochs: outputs of epochs at most
 * {@code condition.getAsLong()} may be released as far as it is concerned. It must be cheap,
 * thread-safe and monotonic between rollbacks; whoever moves it forward calls {@link Hold#changed()}
 * afterwards so that waiting boundaries look again.
 */
public final class BoundarySpi {
    private static volatile Access access;

    private BoundarySpi() {
    }

    /** The bridge into the boundary package; installed once by it. */
    public interface Access {
        /**
         * Adds a release condition to {@code group}: its boundaries release an output of epoch {@code e} only
         * once {@code releasableThrough} returns at least {@code e}.
         *
         * @param group             the group whose boundaries the condition holds back
         * @param releasableThrough the last epoch the condition lets through (thread-safe, monotonic between rollbacks)
         * @return the handle to signal a change of the condition or to remove it
         */
        Hold addReleaseCondition(Group group, LongSupplier releasableThrough);
    }

    /** A release condition added to a group: tell its boundaries it moved, or remove it. Thread-safe. */
    public interface Hold {
        /** The condition moved forward: every boundary of the group looks at what it holds again. */
        void changed();

        /** Removes the condition and lets waiting outputs go. Idempotent. */
        void remove();
    }

    /** Installs the bridge; called once by {@code io.aurora4j.boundary}. */
    public static void install(Access a) {
        if (access != null) {
            throw new IllegalStateException("BoundarySpi access is already installed");
        }
        access = Objects.requireNonNull(a);
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            try { // initializing the boundary package's coordinator installs the bridge
                Class.forName("io.aurora4j.boundary.GroupOutputs", true, BoundarySpi.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("io.aurora4j.boundary is missing", e);
            }
            a = access;
        }
        return a;
    }

    /**
     * Adds a release condition to {@code group}'s outputs coordinator (creating it, and registering it as
     * the group's rollback participant, if needed).
     *
     * @throws IllegalStateException if the group is closed
     */
    public static Hold addReleaseCondition(Group group, LongSupplier releasableThrough) {
        return access().addReleaseCondition(group, releasableThrough);
    }
}
