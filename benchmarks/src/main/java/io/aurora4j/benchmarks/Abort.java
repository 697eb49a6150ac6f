package io.aurora4j.benchmarks;

/**
 * How W4 aborts a peer's transaction: every STM peer rolls its transaction back when the body throws and
 * rethrows the exception, so an exception is the portable "abort" for ScalaSTM, Clojure and Multiverse alike.
 *
 * <p>It is one preallocated instance without a stack trace, so that filling a stack trace (which would cost
 * more than a small transaction) is not billed to the peers. This is a benchmark device only: the library
 * itself never uses cached exceptions for control flow (see CONVENTIONS.md).
 */
final class Abort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final Abort INSTANCE = new Abort();

    private Abort() {
        super("benchmark abort", null, false, false);
    }
}
