package io.aurora4j.boundary;

/**
 * One reason to hold outputs back, as a watermark over epochs: outputs of epochs at most
 * {@link #releasableThrough()} may be released as far as this condition is concerned. The group's
 * {@link GroupOutputs} takes the minimum over its conditions; a boundary compares an output's epoch with
 * that minimum and nothing else, so adding a reason to hold (a pending speculation, a checkpoint not yet
 * durable) is a new condition, not a change to the boundaries.
 *
 * <ul>
 *   <li>none (an in-memory group, no speculation): no condition, the watermark is {@link Long#MAX_VALUE}
 *       and an output is releasable as soon as its work has committed;</li>
 *   <li>speculation: {@code epochOf(oldest pending speculation's checkpoint)}, or
 *       {@code Long.MAX_VALUE} when none is pending (added by the speculation module through
 *       {@link io.aurora4j.boundary.spi.BoundarySpi} to the group's
 *       {@link io.aurora4j.boundary.spi.ReleaseHolds}, which the coordinator reads as one condition);</li>
 *   <li>durability ({@link DurableCondition}, in a durable group): {@code epochOf(newest durable checkpoint)}: an
 *       epoch is covered once the checkpoint that closed it is durable.</li>
 * </ul>
 *
 * <p>Must be cheap, thread-safe and monotonic between rollbacks; whoever moves it forward calls
 * {@link GroupOutputs#conditionsChanged()} afterwards so that waiting boundaries look again.
 */
@FunctionalInterface
interface ReleaseCondition {
    long releasableThrough();
}
