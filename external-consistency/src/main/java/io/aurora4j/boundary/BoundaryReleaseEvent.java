package io.aurora4j.boundary;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JFR event {@code io.aurora4j.BoundaryRelease}: a boundary's release task took a batch of held outputs that
 * their work's commit (and, for {@code EXTERNAL}, durability and confirmed speculations) now allows out, in order.
 * One event per batch, not per output; emitted by the release task only, never on a sender's path.
 */
@Name("io.aurora4j.BoundaryRelease")
@Label("Boundary Release")
@Category("Aurora4j")
@Description("A boundary released a batch of held outputs, in order")
@StackTrace(false)
final class BoundaryReleaseEvent extends jdk.jfr.Event {
    @Label("Group")
    String group;
    @Label("Boundary")
    String boundary;
    @Label("Outputs")
    int outputs;
    @Label("First Sequence")
    @Description("Release sequence number of the batch's first output (1 for the boundary's first)")
    long firstSequence;
    @Label("Last Sequence")
    long lastSequence;
    @Label("Watermark Epoch")
    @Description("The group epoch up to which outputs were releasable when the batch was taken")
    long watermark;
    @Label("Still Held")
    @Description("Outputs left held after the batch")
    int stillHeld;
}
