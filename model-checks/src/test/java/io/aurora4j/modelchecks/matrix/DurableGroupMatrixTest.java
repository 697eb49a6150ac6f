package io.aurora4j.modelchecks.matrix;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The model-based matrix for groups (issue #10, part B): random operation sequences against a plain-Java oracle
 * ({@link Sequence}), in every configuration of {@link Spec#all()}. One dynamic test per configuration runs
 * {@code matrix.sequences} sequences of {@code matrix.length} operations, each from its own seed.
 *
 * <table>
 *   <caption>system properties</caption>
 *   <tr><th>property</th><th>CI default</th><th>{@code -Pthorough}</th><th>meaning</th></tr>
 *   <tr><td>{@code matrix.sequences}</td><td>4</td><td>60</td><td>sequences per configuration</td></tr>
 *   <tr><td>{@code matrix.length}</td><td>80</td><td>200</td><td>operations per sequence</td></tr>
 *   <tr><td>{@code matrix.baseSeed}</td><td>20261206</td><td>the same</td><td>the first sequence's seed; sequence i of a
 *       configuration uses {@code baseSeed + i}</td></tr>
 *   <tr><td>{@code matrix.seed}</td><td>unset</td><td>unset</td><td>runs this one seed only (reproduces a failure)</td></tr>
 *   <tr><td>{@code matrix.spec}</td><td>unset</td><td>unset</td><td>runs the configuration of this name only</td></tr>
 * </table>
 *
 * A failure names the configuration, the seed, the operation that failed and the whole operation list, and the
 * command that reproduces it. Sequences are deterministic: the generator draws from the seed alone, and every
 * choice made while running (which retained checkpoint a rollback picks) is a function of the operation's
 * parameters and the group's state.
 */
class DurableGroupMatrixTest {
    static final int SEQUENCES = Integer.getInteger("matrix.sequences", 4);
    static final int LENGTH = Integer.getInteger("matrix.length", 80);
    static final long BASE_SEED = Long.getLong("matrix.baseSeed", 20261206L);
    static final Long ONLY_SEED = Long.getLong("matrix.seed");
    static final String ONLY_SPEC = System.getProperty("matrix.spec");

    @TestFactory
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    Stream<DynamicTest> everyConfigurationKeepsTheOracleState() {
        return Spec.all().stream()
                .filter(s -> ONLY_SPEC == null || ONLY_SPEC.isBlank() || ONLY_SPEC.equals(s.name()))
                .map(s -> DynamicTest.dynamicTest(s.name(), () -> runAll(s)));
    }

    private static void runAll(Spec spec) throws Exception {
        List<Long> seeds = new ArrayList<>();
        if (ONLY_SEED != null) {
            seeds.add(ONLY_SEED);
        } else {
            for (int i = 0; i < SEQUENCES; i++) {
                seeds.add(BASE_SEED + i);
            }
        }
        long started = System.nanoTime();
        for (long seed : seeds) {
            List<Op> ops = Op.generate(spec, new Random(seed), LENGTH);
            new Sequence(spec, seed, ops).run();
        }
        System.out.printf("matrix %s: %d sequences x %d operations in %d ms%n", spec.name(), seeds.size(), LENGTH,
                (System.nanoTime() - started) / 1_000_000);
    }
}
