package io.aurora4j.txn;

import io.aurora4j.notify.ListenerErrorHandler;
import io.aurora4j.notify.RollbackListener;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.Store;
import io.aurora4j.store.spi.StoredState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One job: the settings of a group being built ({@link GroupBuilder} is their public face): each may be given once
 * (a second time fails naming the value already set), each is checked where it is given, and the defaults are
 * filled in when the group opens.
 *
 * <p>Not thread-safe: one thread builds.
 */
final class GroupSettings {
    private static final System.Logger LOG = System.getLogger(Group.class.getName());
    final String name;
    int retain = 64;
    private boolean retainSet;
    int maxRetries = 10_000;
    private boolean maxRetriesSet;
    Executor notificationExecutor;
    ListenerErrorHandler listenerErrorHandler;
    Consumer<Throwable> hookErrorHandler;
    Executor maintenance;
    Store store;
    Duration period;
    Codecs codecs;
    /** Untyped and typed restore listeners, in the order given; each made for the group once it exists. */
    final List<Function<Group, RollbackListener>> restoreListeners = new ArrayList<>();
    /** Set by {@link Group#open(Store)}: the state it already read for the group's name. */
    StoredState recoveredState;
    private boolean opened;
    /** JMX registration unless the builder says otherwise; the default is the system property {@code io.aurora4j.jmx}. */
    boolean jmx = !"false".equalsIgnoreCase(System.getProperty("io.aurora4j.jmx"));
    private boolean jmxSet;

    GroupSettings(String name) {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a group name must not be blank");
        }
    }

    void retainCheckpoints(int count) {
        requireNotOpened();
        requireState(!retainSet, "retainCheckpoints was already set to " + retain);
        if (count < 1) {
            throw new IllegalArgumentException("retainCheckpoints must be at least 1, was " + count);
        }
        retain = count;
        retainSet = true;
    }

    void maxRetries(int attempts) {
        requireNotOpened();
        requireState(!maxRetriesSet, "maxRetries was already set to " + maxRetries);
        if (attempts < 1) {
            throw new IllegalArgumentException("maxRetries must be at least 1, was " + attempts);
        }
        maxRetries = attempts;
        maxRetriesSet = true;
    }

    void notificationExecutor(Executor executor) {
        requireNotOpened();
        requireState(notificationExecutor == null, "notificationExecutor was already set to " + notificationExecutor);
        notificationExecutor = Objects.requireNonNull(executor, "executor");
    }

    void listenerErrorHandler(ListenerErrorHandler handler) {
        requireNotOpened();
        requireState(listenerErrorHandler == null, "listenerErrorHandler was already set to " + listenerErrorHandler);
        listenerErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    void hookErrorHandler(Consumer<Throwable> handler) {
        requireNotOpened();
        requireState(hookErrorHandler == null, "hookErrorHandler was already set to " + hookErrorHandler);
        hookErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    void maintenanceExecutor(Executor executor) {
        requireNotOpened();
        requireState(maintenance == null, "maintenanceExecutor was already set to " + maintenance);
        maintenance = Objects.requireNonNull(executor, "executor");
    }

    void store(Store store) {
        requireNotOpened();
        requireState(this.store == null, "store was already set to " + (this.store == null ? null : this.store.describe()));
        this.store = Objects.requireNonNull(store, "store");
    }

    void checkpointEvery(Duration period) {
        requireNotOpened();
        requireState(this.period == null, "checkpointEvery was already set to " + this.period);
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || (!period.isZero() && period.toNanos() < 100_000)) {
            throw new IllegalArgumentException("checkpointEvery must be zero (no periodic checkpoints) or at least 100 µs, was " + period);
        }
        this.period = period;
    }

    void codecs(Codecs codecs) {
        requireNotOpened();
        requireState(this.codecs == null, "codecs was already set to " + this.codecs);
        this.codecs = Objects.requireNonNull(codecs, "codecs");
    }

    void jmx(boolean enabled) {
        requireNotOpened();
        requireState(!jmxSet, "jmx was already set to " + jmx);
        jmx = enabled;
        jmxSet = true;
    }

    void onRestore(RollbackListener listener) {
        requireNotOpened();
        Objects.requireNonNull(listener, "listener");
        restoreListeners.add(group -> listener);
    }

    void onGroupRestore(GroupRollbackListener listener) {
        requireNotOpened();
        Objects.requireNonNull(listener, "listener");
        restoreListeners.add(group -> GroupRollback.listener(group, listener));
    }

    /** Once, when the group opens: refuses what does not go together and fills in the defaults that depend on it. */
    void opening() {
        requireState(!opened, "this builder already opened group '" + name + "'");
        if (store == null) {
            requireState(period == null, "checkpointEvery needs a store: set store(...) too");
        }
        if (period == null) {
            period = Duration.ofMillis(10);
        }
        if (hookErrorHandler == null) {
            String group = name;
            hookErrorHandler = e -> LOG.log(System.Logger.Level.WARNING, "a transaction hook of group '" + group + "' threw", e);
        }
        if (maintenance == null) {
            String thread = "aurora4j-release-" + name;
            maintenance = task -> Thread.ofVirtual().name(thread).start(task);
        }
        opened = true;
        recoveredState = null; // the caller took it; the group keeps these settings, not an O(pages) index
    }

    /**
     * A builder for a fork of the group opened with these settings: the same retention, retries, maintenance executor
     * and hook error handler (the resolved ones, as the group uses them); its own name, listeners and no store.
     */
    GroupBuilder forFork(String forkName) {
        return Group.builder(forkName).retainCheckpoints(retain).maxRetries(maxRetries)
                .hookErrorHandler(hookErrorHandler).maintenanceExecutor(maintenance);
    }

    /** The group keeps these settings (a fork copies them): a setter called after the open would change them. */
    private void requireNotOpened() {
        requireState(!opened, "this builder already opened group '" + name + "': its settings can no longer change");
    }

    private static void requireState(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
