package io.aurora4j.benchmarks;

/**
 * Teardown checks: a contender that lost an update or failed to roll back must not be reported as fast.
 * A failed check throws, and JMH prints the benchmark as failed instead of a figure.
 */
final class Check {
    private Check() {
    }

    static void equal(String contender, long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(contender + ": expected " + expected + " but found " + actual);
        }
    }

    /** The same for object {@code index} of many, building no message unless the check fails. */
    static void equal(String contender, int index, long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(contender + ", object " + index + ": expected " + expected
                    + " but found " + actual + " (the rollback did not restore it)");
        }
    }
}
