/**
 * Boundaries: Aurora's external consistency (Rethink the Sync's "outputs wait for the state that produced
 * them") for the JVM. A {@link io.aurora4j.boundary.Boundary} is a channel out of a
 * {@link io.aurora4j.txn.Group}; in {@link io.aurora4j.boundary.Boundary.Mode#EXTERNAL EXTERNAL} mode it
 * holds every output until the work that produced it can no longer be undone, releases outputs to their
 * {@link io.aurora4j.boundary.Sink} in order, at most once, and drops the ones a rollback undid.
 *
 * <h2>The release rule</h2>
 * Every output carries the epoch of the group its work belongs to: the epoch its transaction committed in,
 * or, for a send outside any transaction, the epoch current when it was sent. The group's outputs
 * coordinator keeps a <em>watermark</em> W: outputs of epochs &le; W are releasable. The watermark is the
 * minimum of the group's release conditions; an in-memory group without speculation has none, so W is
 * infinite and an output is releasable as soon as its transaction has committed. Speculation adds "before
 * the oldest pending speculation", a durable store "covered by a durable checkpoint": each is one more
 * condition, and the machinery below does not change. After a durable store fails, outputs its last durable
 * checkpoint does not cover are never released: they go to the dead-letter handler (see
 * {@link io.aurora4j.boundary.Boundary}).
 *
 * <h2>Memory-access names</h2>
 * Where ordering matters, fields are accessed through {@code VarHandle}s and the method or comment names
 * the kind, as in JCTools: {@code lv} load volatile, {@code sv} store volatile, {@code cas}
 * compare-and-set. A field declared {@code volatile} and written by one thread only is updated with a
 * plain read and a volatile write; the comment on the field names the single writer.
 */
package io.aurora4j.boundary;
