package io.aurora4j.modelchecks;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Lincheck harness every model check in this module extends, the way Caffeine lays out its Lincheck
 * tests: an abstract class per component holds the {@code @Operation} set and the state under test, and a
 * small concrete subclass per configuration chooses the component's configuration, the scenario shape
 * ({@link #budget()}) and the sequential specification ({@link #sequentialSpecification()}). Each concrete
 * class runs twice: under Lincheck's model checker, which explores interleavings at every shared-memory
 * access and lock, and under its stress runner, which runs real threads.
 *
 * <p>Lincheck instantiates the concrete class once per invocation through its public no-argument
 * constructor, so the state under test (a fresh {@code Group}, notifier, ...) is created in field
 * initializers or the constructor.
 *
 * <p>Besides the random scenarios, a test can name {@linkplain #customScenarios() custom scenarios}: the
 * races it exists for (two {@code putIfAbsent}s of one key, a checkpoint cutting a transfer), so that they
 * are explored in every run instead of whenever the generator happens to produce them.
 *
 * <p>A configuration can be a <em>mutant</em>: it misuses the component or substitutes a deliberately
 * broken double so that the property no longer holds, and {@link #expectViolation()} returns true. Its
 * model-checking test then passes only if Lincheck <em>finds</em> the violation, which shows that the
 * operation set and the specification have teeth. Mutants skip the stress run: whether real threads hit
 * a narrow window within a CI budget is luck, not a property.
 */
public abstract class AbstractLincheckTest {

    /** The scenario shape and budget; {@link LincheckBudget#standard()} unless a configuration says otherwise. */
    protected LincheckBudget budget() {
        return LincheckBudget.standard();
    }

    /**
     * The sequential specification: a plain single-threaded model with the same operation signatures, whose
     * results every interleaving must match. {@code null} makes Lincheck run the test class itself
     * sequentially, which checks linearizability but not sequential correctness, so most tests give one.
     */
    protected Class<?> sequentialSpecification() {
        return null;
    }

    /** True for a mutant configuration whose violation Lincheck must find. */
    protected boolean expectViolation() {
        return false;
    }

    /** A hook for tuning the model checker per configuration (e.g. loop bounds); the default changes nothing. */
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        return options;
    }

    /** One operation call in a custom scenario: an {@code @Operation} method's name and its arguments. */
    protected record Call(String operation, Object... args) {
    }

    /**
     * A hand-written scenario: {@code before} runs first on one thread, then each list of {@code threads} runs
     * on its own thread, in parallel, then {@code post} on one thread.
     */
    protected record Scenario(List<Call> before, List<List<Call>> threads, List<Call> post) {
        /** The same scenario followed by {@code calls} once the parallel part is over. */
        public Scenario then(Call... calls) {
            return new Scenario(before, threads, List.of(calls));
        }
    }

    protected static Call call(String operation, Object... args) {
        return new Call(operation, args);
    }

    /** Calls to run on one thread of a custom scenario, in order. */
    protected static List<Call> thread(Call... calls) {
        return List.of(calls);
    }

    @SafeVarargs
    protected static Scenario parallel(List<Call>... threads) {
        return new Scenario(List.of(), List.of(threads), List.of());
    }

    @SafeVarargs
    protected static Scenario after(List<Call> before, List<Call>... threads) {
        return new Scenario(before, List.of(threads), List.of());
    }

    /** Scenarios explored in every run besides the generated ones; none by default. */
    protected List<Scenario> customScenarios() {
        return List.of();
    }

    private <O extends Options<O, ?>> O withCustomScenarios(O options) {
        for (Scenario s : customScenarios()) {
            List<List<Actor>> threads = new ArrayList<>();
            for (List<Call> t : s.threads()) {
                threads.add(actors(t));
            }
            options.addCustomScenario(new ExecutionScenario(actors(s.before()), threads, actors(s.post()), validationActor()));
        }
        return options;
    }

    private List<Actor> actors(List<Call> calls) {
        List<Actor> actors = new ArrayList<>();
        for (Call c : calls) {
            actors.add(new Actor(operation(c), Arrays.asList(c.args()), false, false, false, false, false));
        }
        return actors;
    }

    private Method operation(Call c) {
        for (Method m : getClass().getMethods()) {
            if (m.getName().equals(c.operation()) && m.getParameterCount() == c.args().length
                    && operationDeclared(m)) {
                return m;
            }
        }
        throw new IllegalArgumentException(getClass().getSimpleName() + " has no @Operation " + c.operation() + " with "
                + c.args().length + " arguments");
    }

    /** Whether {@code m}, or a method it overrides, is an {@code @Operation}. */
    private boolean operationDeclared(Method m) {
        for (Class<?> c = getClass(); c != null; c = c.getSuperclass()) {
            try {
                if (c.getDeclaredMethod(m.getName(), m.getParameterTypes()).isAnnotationPresent(Operation.class)) {
                    return true;
                }
            } catch (NoSuchMethodException notHere) {
                // look further up
            }
        }
        return false;
    }

    private Actor validationActor() {
        for (Method m : getClass().getMethods()) {
            if (m.isAnnotationPresent(Validate.class)) {
                return new Actor(m, List.of(), false, false, false, false, false);
            }
        }
        return null;
    }

    @Test
    public void modelChecking() {
        ModelCheckingOptions options = withCustomScenarios(tune(budget().modelChecking()));
        if (sequentialSpecification() != null) {
            options.sequentialSpecification(sequentialSpecification());
        }
        if (expectViolation()) {
            options.minimizeFailedScenario(false); // the finding matters, not the smallest scenario
            LincheckAssertionError found = assertThrows(LincheckAssertionError.class, () -> options.check(getClass()),
                    getClass().getSimpleName() + " breaks the property on purpose; the model checker must find it");
            if (Boolean.getBoolean("lincheck.printMutants")) {
                System.out.println(getClass().getSimpleName() + ": violation found as expected\n" + found.getMessage());
            }
        } else {
            options.check(getClass());
        }
    }

    @Test
    public void stress() {
        Assumptions.assumeFalse(expectViolation(), "mutants are checked by the model checker only");
        StressOptions options = withCustomScenarios(budget().stress());
        if (sequentialSpecification() != null) {
            options.sequentialSpecification(sequentialSpecification());
        }
        options.check(getClass());
    }
}
