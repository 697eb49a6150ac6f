package io.aurora4j.txn;

import io.aurora4j.store.StoreException;

/**
 * A checkpoint could not be written because a state object held a value that cannot be: its class has no codec in
 * the group's {@link io.aurora4j.store.Codecs} (found only when encoding: a list, set, map or record holding such a
 * value), or its record would exceed {@link io.aurora4j.store.StoreLimits#MAX_RECORD_BYTES}. Nothing is wrong with
 * the store: the flusher aborted that checkpoint and goes on, so the next checkpoint that no longer holds the value
 * (it was overwritten, removed or rolled back) is made durable as usual.
 *
 * <p>A durable group completes with it the {@link Checkpoint#durable()} futures of the checkpoint it could not
 * write and of every earlier one still waiting; {@link Group#send} throws it for an image it cannot write. The
 * message names the group, the checkpoint, the object (and, for a map, that it was a key or a value) and what to
 * register. Immutable.
 */
public final class UnwritableValueException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String groupName;
    private final String objectId;
    private final long checkpointId;

    UnwritableValueException(String groupName, String objectId, long checkpointId, String message, Throwable cause) {
        super(message, cause);
        this.groupName = groupName;
        this.objectId = objectId;
        this.checkpointId = checkpointId;
    }

    /** The group whose checkpoint could not be written. */
    public String groupName() {
        return groupName;
    }

    /** The id of the state object holding the value. */
    public String objectId() {
        return objectId;
    }

    /** The id of the checkpoint that could not be written. */
    public long checkpointId() {
        return checkpointId;
    }
}
