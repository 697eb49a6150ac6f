package io.aurora4j.notify;

/**
 * A listener's registration with a {@link RollbackNotifier}, returned by
 * {@link RollbackNotifier#register(RollbackListener)}. Thread-safe.
 *
 * <table class="striped">
 *   <caption>What happens in each state</caption>
 *   <thead><tr><th>call</th><th>open</th><th>closed</th></tr></thead>
 *   <tbody>
 *     <tr><th scope="row">{@code close()}</th>
 *         <td>The listener stops receiving events: an event whose delivery to it has not started is
 *             dropped for it (it still counts as delivered for
 *             {@link RollbackNotifier#delivered()}); a call already running finishes. Later
 *             {@code publish} calls skip it. Returns at once, also from inside the listener's own
 *             {@code onRollback}.</td>
 *         <td>Nothing.</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Closing the notifier does not close its registrations: events it had accepted are still
 * delivered to them.
 */
public interface Registration extends AutoCloseable {

    /**
     * Stops delivery to this registration's listener of every event whose delivery has not started
     * yet. Idempotent; never throws.
     */
    @Override
    void close();
}
