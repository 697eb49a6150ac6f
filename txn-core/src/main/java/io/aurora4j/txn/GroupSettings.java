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
 * One job: the settings of a group being built ({@link Group.Builder} is their public face): each may be given once
 * (a second time fails naming the value already set), each is checked where it is given, and the defaults are
 * filled in when the group opens.
 *
 * <p>Not thread-safe: one thread builds.
 */
final class GroupSettings {
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
        requireState(!retainSet, "retainCheckpoints was already set to " + retain);
        if (count < 1) {
            throw new IllegalArgumentException("retainCheckpoints must be at least 1, was " + count);
        }
        retain = count;
        retainSet = true;
    }

    void maxRetries(int attempts) {
        requireState(!maxRetriesSet, "maxRetries was already set to " + maxRetries);
        if (attempts < 1) {
            throw new IllegalArgumentException("maxRetries must be at least 1, was " + attempts);
        }
        maxRetries = attempts;
        maxRetriesSet = true;
    }

    void notificationExecutor(Executor executor) {
        requireState(notificationExecutor == null, "notificationExecutor was already set to " + notificationExecutor);
        notificationExecutor = Objects.requireNonNull(executor, "executor");
    }

    void listenerErrorHandler(ListenerErrorHandler handler) {
        requireState(listenerErrorHandler == null, "listenerErrorHandler was already set to " + listenerErrorHandler);
        listenerErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    void hookErrorHandler(Consumer<Throwable> handler) {
        requireState(hookErrorHandler == null, "hookErrorHandler was already set to " + hookErrorHandler);
        hookErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    void maintenanceExecutor(Executor executor) {
        requireState(maintenance == null, "maintenanceExecutor was already set to " + maintenance);
        maintenance = Objects.requireNonNull(executor, "executor");
    }

    void store(Store store) {
        requireState(this.store == null, "store was already set to " + (this.store == null ? null : this.store.describe()));
        this.store = Objects.requireNonNull(store, "store");
    }

    void checkpointEvery(Duration period) {
        requireState(this.period == null, "checkpointEvery was already set to " + this.period);
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || (!period.isZero() && period.toNanos() < 100_000)) {
            throw new IllegalArgumentException("checkpointEvery must be zero (no periodic checkpoints) or at least 100 µs, was " + period);
        }
        this.period = period;
    }

    void codecs(Codecs codecs) {
        requireState(this.codecs == null, "codecs was already set to " + this.codecs);
        this.codecs = Objects.requireNonNull(codecs, "codecs");
    }

    void jmx(boolean enabled) {
        requireState(!jmxSet, "jmx was already set to " + jmx);
        jmx = enabled;
        jmxSet = true;
    }

    void onRestore(RollbackListener listener) {
        Objects.requireNonNull(listener, "listener");
        restoreListeners.add(group -> listener);
    }

    void onGroupRestore(GroupRollbackListener listener) {
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
        opened = true;
    }

    private static void requireState(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
