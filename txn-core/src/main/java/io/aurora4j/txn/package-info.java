/**
 * Aurora4j's core: a {@link io.aurora4j.txn.Group} of state objects ({@link io.aurora4j.txn.TLong},
 * {@link io.aurora4j.txn.TRef}, {@link io.aurora4j.txn.TMap}, off-heap {@link io.aurora4j.txn.Region}s) read and
 * written in serializable, opaque transactions ({@link io.aurora4j.txn.Group#atomic(Runnable)}), checkpointed in
 * O(1) ({@link io.aurora4j.txn.Checkpoint}), rolled back with notification, kept as history and viewed
 * ({@link io.aurora4j.txn.CheckpointView}), forked, and — with a store — made durable, recovered and sent as
 * images. The guarantees are the invariants of the repository's ARCHITECTURE.md (1 to 4, 6 to 8); each type's
 * javadoc says what it does in every state, and {@link io.aurora4j.txn.Group} opens with the design.
 */
package io.aurora4j.txn;
