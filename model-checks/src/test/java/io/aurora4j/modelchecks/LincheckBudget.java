package io.aurora4j.modelchecks;

import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * How much Lincheck does per test: the number of scenarios and invocations, read once from the
 * {@code lincheck.*} system properties that the parent pom passes to Surefire, and the shape of each
 * scenario (threads × operations per thread, operations before and after the parallel part), chosen per
 * test.
 *
 * <p>The defaults below are the parent pom's CI defaults, so that a test run from an IDE without the
 * properties does the same amount of work as CI. {@code ./build thorough} ({@code -Pthorough}) raises
 * the counts; the scenario shapes stay small on purpose: Lincheck's experience (and the kotlinx.coroutines
 * team's) is that concurrency bugs reproduce with 3 threads and a handful of operations, while every
 * extra operation multiplies the interleavings to explore.
 *
 * <table>
 *   <caption>system properties</caption>
 *   <tr><th>property</th><th>CI default</th><th>meaning</th></tr>
 *   <tr><td>{@code lincheck.iterations}</td><td>30</td><td>scenarios generated per model-checking test</td></tr>
 *   <tr><td>{@code lincheck.invocations}</td><td>2000</td><td>interleavings explored per scenario (model checking)</td></tr>
 *   <tr><td>{@code lincheck.stressIterations}</td><td>12</td><td>scenarios generated per stress test</td></tr>
 *   <tr><td>{@code lincheck.stressInvocations}</td><td>2000</td><td>runs per scenario (stress)</td></tr>
 * </table>
 *
 * @param threads         threads in the parallel part (at least 3 where the component allows)
 * @param actorsPerThread operations per thread in the parallel part
 * @param actorsBefore    operations run sequentially before the parallel part
 * @param actorsAfter     operations run sequentially after the parallel part
 * @param weight          the share of the model checker's invocations per scenario this test runs, in
 *                        (0, 1]: a test whose invocations are expensive explores fewer interleavings of
 *                        each scenario so that
 *                        the module stays within its CI time. The number of scenarios is never scaled:
 *                        bugs need the right mix of operations first, and the model checker tries
 *                        interleavings with few thread switches first, which is where most bugs show. Stress runs are cheap and are never scaled
 */
public record LincheckBudget(int threads, int actorsPerThread, int actorsBefore, int actorsAfter, double weight) {

    /**
     * The share of {@code lincheck.invocations} a model check runs per scenario. One model-checked
     * invocation of a transaction scenario costs several milliseconds on our 2-core machines (Lincheck
     * hands the CPU from thread to thread at every shared access), so the parent pom's 30 × 2000 would take
     * many minutes per test; 3.5% (70 interleavings of each of 30 scenarios at CI size, 700 of each of 200
     * with {@code -Pthorough}) keeps each model check within about a minute and the module within about 13 minutes
     * of a 2-core CI machine (5% took it to 18 once the retry and extension checks joined). See the module README
     * for measured times; lower this constant if the module must get faster.
     */
    public static final double STANDARD_WEIGHT = 0.035;

    public static final int ITERATIONS = intProperty("lincheck.iterations", 30);
    public static final int INVOCATIONS = intProperty("lincheck.invocations", 2000);
    public static final int STRESS_ITERATIONS = intProperty("lincheck.stressIterations", 12);
    public static final int STRESS_INVOCATIONS = intProperty("lincheck.stressInvocations", 2000);

    public LincheckBudget {
        if (threads < 1 || actorsPerThread < 1 || actorsBefore < 0 || actorsAfter < 0) {
            throw new IllegalArgumentException("bad scenario shape: " + threads + " threads × " + actorsPerThread
                    + " actors, " + actorsBefore + " before, " + actorsAfter + " after");
        }
        if (!(weight > 0 && weight <= 1)) {
            throw new IllegalArgumentException("weight must be in (0, 1], was " + weight);
        }
    }

    /**
     * The shape most tests use: 3 threads × 2 operations, 1 operation before, 1 after, and
     * {@link #STANDARD_WEIGHT} of the invocations.
     */
    public static LincheckBudget standard() {
        return new LincheckBudget(3, 2, 1, 1, STANDARD_WEIGHT);
    }

    public LincheckBudget withThreads(int n) {
        return new LincheckBudget(n, actorsPerThread, actorsBefore, actorsAfter, weight);
    }

    public LincheckBudget withActorsPerThread(int n) {
        return new LincheckBudget(threads, n, actorsBefore, actorsAfter, weight);
    }

    public LincheckBudget withActorsBefore(int n) {
        return new LincheckBudget(threads, actorsPerThread, n, actorsAfter, weight);
    }

    public LincheckBudget withActorsAfter(int n) {
        return new LincheckBudget(threads, actorsPerThread, actorsBefore, n, weight);
    }

    public LincheckBudget withWeight(double w) {
        return new LincheckBudget(threads, actorsPerThread, actorsBefore, actorsAfter, w);
    }

    /** Model-checking options for this shape, sized from the {@code lincheck.iterations/invocations} properties. */
    public ModelCheckingOptions modelChecking() {
        return new ModelCheckingOptions()
                // the group's statistics (per-thread cells found through a map on a group's first commit) are not
                // what any of these tests checks; left to the model checker, every new group's cell registration and
                // every counted commit would be switch points, lengthening each invocation
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses("io.aurora4j.txn.GroupCounters",
                        "io.aurora4j.txn.GroupCounters$Cell", "io.aurora4j.txn.GroupCounters$LatencyStat").allMethods().ignore())
                .iterations(ITERATIONS)
                .invocationsPerIteration(scaled(INVOCATIONS))
                .threads(threads)
                .actorsPerThread(actorsPerThread)
                .actorsBefore(actorsBefore)
                .actorsAfter(actorsAfter);
    }

    /** Stress options for this shape, sized from the {@code lincheck.stressIterations/stressInvocations} properties. */
    public StressOptions stress() {
        return new StressOptions()
                .iterations(STRESS_ITERATIONS)
                .invocationsPerIteration(STRESS_INVOCATIONS)
                .threads(threads)
                .actorsPerThread(actorsPerThread)
                .actorsBefore(actorsBefore)
                .actorsAfter(actorsAfter);
    }

    @Override
    public String toString() {
        return threads + " threads × " + actorsPerThread + " ops, " + actorsBefore + " before, " + actorsAfter
                + " after; model checking " + ITERATIONS + "×" + scaled(INVOCATIONS) + ", stress "
                + STRESS_ITERATIONS + "×" + STRESS_INVOCATIONS;
    }

    private int scaled(int n) {
        return Math.max(1, (int) Math.round(n * weight));
    }

    private static int intProperty(String name, int dflt) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new IllegalArgumentException("system property " + name + " must be at least 1, was " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + name + " must be an integer, was '" + v + "'", e);
        }
    }
}
