/**
 * Rollback notification for Aurora4j: a group's {@link io.aurora4j.notify.RollbackEvent}s,
 * delivered by a {@link io.aurora4j.notify.RollbackNotifier} to the
 * {@link io.aurora4j.notify.RollbackListener}s registered with it.
 *
 * <p>The guarantees the rest of Aurora4j relies on (each detailed on {@code RollbackNotifier}):
 * <ul>
 *   <li>each published event reaches each listener registered at publish time exactly once, and no
 *       other listener;</li>
 *   <li>each listener sees its events one at a time in publish order (increasing
 *       {@link io.aurora4j.notify.RollbackEvent#sequence() sequence}); different listeners run
 *       concurrently;</li>
 *   <li>{@code publish} never runs listeners itself and never waits for them; listeners run on an
 *       executor, by default a virtual thread per delivery task, and never under the notifier's
 *       lock, so they may register and close listeners;</li>
 *   <li>a listener that throws is reported to a {@link io.aurora4j.notify.ListenerErrorHandler}
 *       and stops nothing else; an executor that refuses a task loses no event.</li>
 * </ul>
 *
 * <p>This package knows nothing about transactions: a rollback's checkpoint is seen only through
 * {@link io.aurora4j.notify.CheckpointInfo}, which {@code txn-core} implements.
 *
 * <h2>Concurrency notation</h2>
 * The implementation uses {@code java.util.concurrent} atomics and queues rather than VarHandles,
 * so every shared field is either {@code volatile}, an atomic, or guarded by the notifier's
 * {@link java.util.concurrent.locks.ReentrantLock} (the field comments say which); lines whose
 * correctness depends on an ordering say why next to them. There is no {@code synchronized}:
 * listeners run on virtual threads, which must not pin.
 */
package io.aurora4j.notify;
