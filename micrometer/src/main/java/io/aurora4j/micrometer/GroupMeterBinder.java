package io.aurora4j.micrometer;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.GroupMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Binds one group's {@link GroupMetrics} to a Micrometer {@link MeterRegistry}, the way Caffeine's and
 * Resilience4j's binders do: {@code new GroupMeterBinder(group).bindTo(registry)}.
 *
 * <p>Meters, each tagged {@code group=<name>} plus the tags given:
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code aurora4j.transactions}</td><td>function counter, tag {@code outcome}</td>
 *       <td>{@code commit}, {@code conflict}, {@code rollback}, {@code exception}, {@code retry}, {@code gave_up}</td></tr>
 *   <tr><td>{@code aurora4j.transaction.retries}</td><td>function counter</td><td>attempts re-run after an abort</td></tr>
 *   <tr><td>{@code aurora4j.checkpoints}</td><td>function timer</td><td>checkpoints taken and the time they took</td></tr>
 *   <tr><td>{@code aurora4j.rollbacks}</td><td>function timer</td><td>rollbacks and their time</td></tr>
 *   <tr><td>{@code aurora4j.flushes}</td><td>function timer</td><td>checkpoints written to the durable store and their time</td></tr>
 *   <tr><td>{@code aurora4j.flush.bytes}</td><td>function counter (bytes)</td><td>bytes handed to the store</td></tr>
 *   <tr><td>{@code aurora4j.durable.lag}</td><td>gauge</td><td>checkpoints taken, not durable yet</td></tr>
 *   <tr><td>{@code aurora4j.checkpoints.retained}</td><td>gauge</td><td>checkpoints in history</td></tr>
 *   <tr><td>{@code aurora4j.objects}</td><td>gauge</td><td>state objects registered</td></tr>
 * </table>
 * Every meter reads the group through Micrometer's weak reference: binding never keeps a dropped group alive,
 * and a closed group's meters keep their last values. Each read of a meter calls {@link Group#metrics()}, which
 * never blocks a transaction.
 *
 * <p>Thread-safe; bind once per registry.
 */
public final class GroupMeterBinder implements MeterBinder {
    private final Group group;
    private final Tags tags;

    /**
     * A binder for {@code group}.
     *
     * @param group the group whose metrics are bound
     * @param extraTags tags added to every meter besides {@code group}
     */
    public GroupMeterBinder(Group group, Tag... extraTags) {
        this.group = Objects.requireNonNull(group, "group");
        this.tags = Tags.of(extraTags).and("group", group.name());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        outcome(registry, "commit", GroupMetrics::commits);
        outcome(registry, "conflict", GroupMetrics::conflictAborts);
        outcome(registry, "rollback", GroupMetrics::rollbackAborts);
        outcome(registry, "exception", GroupMetrics::exceptionAborts);
        outcome(registry, "retry", GroupMetrics::retryAborts);
        outcome(registry, "gave_up", GroupMetrics::gaveUp);
        FunctionCounter.builder("aurora4j.transaction.retries", group, g -> g.metrics().retries())
                .description("attempts re-run after an abort").tags(tags).register(registry);
        timer(registry, "aurora4j.checkpoints", "checkpoints taken", GroupMetrics::checkpoints, GroupMetrics::checkpointNanos);
        timer(registry, "aurora4j.rollbacks", "rollbacks performed", GroupMetrics::rollbacks, GroupMetrics::rollbackNanos);
        timer(registry, "aurora4j.flushes", "checkpoints written to the durable store", GroupMetrics::flushes,
                GroupMetrics::flushNanos);
        FunctionCounter.builder("aurora4j.flush.bytes", group, g -> g.metrics().flushBytes())
                .description("bytes handed to the durable store").baseUnit(BaseUnits.BYTES).tags(tags).register(registry);
        gauge(registry, "aurora4j.durable.lag", "checkpoints taken that are not durable yet", m -> m.durableLag());
        gauge(registry, "aurora4j.checkpoints.retained", "checkpoints retained in history", m -> m.retainedCheckpoints());
        gauge(registry, "aurora4j.objects", "state objects registered", m -> m.objects());
    }

    private void outcome(MeterRegistry registry, String outcome, ToLongFunction<GroupMetrics> count) {
        FunctionCounter.builder("aurora4j.transactions", group, g -> count.applyAsLong(g.metrics()))
                .description("transaction attempts by outcome").tags(tags).tag("outcome", outcome).register(registry);
    }

    private void timer(MeterRegistry registry, String name, String description, ToLongFunction<GroupMetrics> count,
                       ToLongFunction<GroupMetrics> nanos) {
        FunctionTimer.builder(name, group, g -> count.applyAsLong(g.metrics()), g -> nanos.applyAsLong(g.metrics()),
                        TimeUnit.NANOSECONDS)
                .description(description).tags(tags).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<GroupMetrics> value) {
        Gauge.builder(name, group, g -> value.applyAsDouble(g.metrics())).description(description).tags(tags)
                .register(registry);
    }
}
