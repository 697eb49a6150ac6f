package io.aurora4j.notify;

/**
 * Told about each rollback of the groups it is registered with, through
 * {@link RollbackNotifier#register(RollbackListener)}.
 *
 * <p>What a listener can count on:
 * <ul>
 *   <li>it is called exactly once for each event published while it was registered, and for no
 *       other event;</li>
 *   <li>its calls never overlap, and they come in publish order (increasing
 *       {@link RollbackEvent#sequence()}), each call happening-before the next;</li>
 *   <li>it runs on the notifier's executor (by default a fresh virtual thread), never under a lock
 *       of the notifier, so it may block, and may {@linkplain RollbackNotifier#register register}
 *       or {@linkplain Registration#close() close} listeners, including itself;</li>
 *   <li>an exception or {@link Error} it throws goes to the notifier's
 *       {@link ListenerErrorHandler} and stops nothing else: other listeners, and this listener's
 *       later events, are still delivered. A {@link VirtualMachineError} is not reported but
 *       rethrown to the executor (see {@link RollbackNotifier}).</li>
 * </ul>
 *
 * <p>A listener must not wait on {@link RollbackNotifier#delivered()} from inside
 * {@code onRollback}: that future waits for this very call to return, so it would never complete.
 */
@FunctionalInterface
public interface RollbackListener {

    /**
     * Called once for a rollback, after the group's state has been restored.
     *
     * @param event what was rolled back, to which checkpoint, and why
     * @throws Exception anything; it is reported to the notifier's {@link ListenerErrorHandler}
     */
    void onRollback(RollbackEvent event) throws Exception;
}
