package io.aurora4j.notify;

/**
 * Told when a {@link RollbackListener} could not be given an event: the listener threw, or the
 * executor refused to run the delivery. Set one with
 * {@link RollbackNotifier.Builder#errorHandler(ListenerErrorHandler)}; the default writes a
 * {@link System.Logger.Level#WARNING WARNING} through {@link System.Logger} naming the notifier,
 * the listener and the event.
 *
 * <p>Two kinds of error arrive here:
 * <ul>
 *   <li><b>the listener threw</b> an exception or an {@link Error} (other than a
 *       {@link VirtualMachineError}): called on the delivery thread, right after the failed call
 *       and before the listener's next event. The event counts as delivered; it is not retried.</li>
 *   <li><b>the executor refused</b> the delivery task: {@code error} is the
 *       {@link java.util.concurrent.RejectedExecutionException} (or whatever else
 *       {@code execute} threw), {@code event} the listener's oldest event still waiting. Called on
 *       the thread that called {@code publish}, {@code delivered} or {@code close}. The event is not
 *       lost: it stays queued and delivery is tried again by the next such call.</li>
 * </ul>
 *
 * <p>Handlers for different listeners may run at the same time, so a handler must be thread-safe.
 * A handler that throws is logged through {@link System.Logger} at
 * {@link System.Logger.Level#ERROR ERROR} and otherwise ignored: delivery goes on.
 */
@FunctionalInterface
public interface ListenerErrorHandler {

    /**
     * Reports that {@code listener} could not be given {@code event}.
     *
     * @param listener the listener, as it was registered
     * @param event    the event it failed on, or, for a refused task, its oldest undelivered event
     * @param error    what the listener threw, or what the executor threw
     */
    void onListenerError(RollbackListener listener, RollbackEvent event, Throwable error);
}
