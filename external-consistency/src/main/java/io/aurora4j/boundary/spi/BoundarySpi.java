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
 *
 * <p>The link is typed and explicit: a condition goes into the group's {@link ReleaseHolds} (an extension kept
 * in the group), which the group's boundaries read. There is no bridge to install and no class looked up by
 * name, so it works whatever was loaded first and whether or not the group has a boundary yet.
 */
public final class BoundarySpi {
    private BoundarySpi() {
    }

    /** A release condition added to a group: tell its boundaries it moved, or remove it. Thread-safe. */
    public interface Hold {
        /** The condition moved forward: every boundary of the group looks at what it holds again. */
        void changed();

        /** Removes the condition and lets waiting outputs go. Idempotent. */
        void remove();
    }

    /**
     * Adds a release condition to {@code group}: its boundaries (present and future) release an output of
     * epoch {@code e} only once {@code releasableThrough} returns at least {@code e}.
     *
     * @param group             the group whose boundaries the condition holds back
     * @param releasableThrough the last epoch the condition lets through (thread-safe, monotonic between rollbacks)
     * @return the handle to signal a change of the condition or to remove it
     */
    public static Hold addReleaseCondition(Group group, LongSupplier releasableThrough) {
        Objects.requireNonNull(group, "group");
        return ReleaseHolds.of(group).add(releasableThrough);
    }
}
