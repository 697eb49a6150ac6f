package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.Images;

import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * One job: writing a group's image — a checkpoint whole, or what changed since an older one — to a stream
 * (Aurora's {@code sls send}), in the {@link ObjectFormat}. The receiving side is {@link ReceivedImageCheck}.
 *
 * <p>Thread-safe: what to write is collected under the timeline's admin lock; values are read as of the checkpoint,
 * which must stay retained until the image is committed.
 */
final class ImageSender {
    private ImageSender() {
    }

    /** See {@link Group#send(Checkpoint, Checkpoint, OutputStream)}; {@code base} may be null for a full image. */
    static void send(Group group, EpochTimeline timeline, ObjectRegistry registry, Codecs codecs,
                     Checkpoint checkpoint, Checkpoint base, OutputStream out) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(out, "out");
        if (checkpoint.group() != group || (base != null && base.group() != group)) {
            throw new IllegalArgumentException("send of group '" + group.name() + "' needs checkpoints of this group, got "
                    + checkpoint + (base == null ? "" : " over " + base));
        }
        if (base != null && base.id() >= checkpoint.id()) {
            throw new IllegalArgumentException("an incremental image goes forward: " + base + " is not older than " + checkpoint);
        }
        EpochTimeline.Dirty dirty = null;
        List<StateObject> selected;
        timeline.admin.lock();
        try {
            group.checkOpen();
            checkpoint.checkRetained();
            if (base != null) {
                base.checkRetained();
                dirty = timeline.dirtyBetween(base, checkpoint);
                if (dirty == null) {
                    throw new IllegalStateException(base + " is not an ancestor of " + checkpoint);
                }
            }
            selected = registry.existingAt(checkpoint.closedEpoch.number, base != null);
            selected.removeIf(o -> !registry.isPersisted(o));
        } finally {
            timeline.admin.unlock();
        }
        timeline.drainCommits(); // commits of the checkpoint's epochs have pushed their pre-images
        CheckpointWriter w = Images.writer(out, checkpoint.id(), base == null ? -1 : base.id(), checkpoint.label().orElse(null));
        boolean done = false;
        try {
            if (base == null) {
                ObjectFormat.writeGroup(group.name(), w);
                for (StateObject o : selected) {
                    ObjectFormat.writeWhole(o, checkpoint, w, codecs);
                }
            } else {
                ObjectFormat.writeChanges(checkpoint, base.closedEpoch.number, dirty, selected, registry::isPersisted, w, codecs);
            }
            checkpoint.checkRetained(); // pages read above are the checkpoint's only while it is retained
            w.commit();
            done = true;
        } finally {
            if (!done) {
                w.abort();
            }
        }
    }
}
