package io.aurora4j.txn;

/**
 * One job: {@link Group#atomicChecked(TxnCallable)}, a transaction whose body throws checked exceptions.
 *
 * <p>The checked exception crosses the transaction machinery (whose bodies are {@link java.util.function.Supplier}s)
 * unwrapped: the retry loop treats every exception from a body the same way (the attempt is aborted, its writes
 * discarded, its after-rollback hooks run, the exception propagates unchanged), so the caller receives the very
 * instance its body threw, with no wrapper to unwrap and no allocation.
 */
final class CheckedBodies {
    private CheckedBodies() {
    }

    static <R, E extends Exception> R run(Group g, TxnCallable<R, E> body) throws E {
        return g.atomic(() -> {
            try {
                return body.call();
            } catch (RuntimeException unchecked) {
                throw unchecked;
            } catch (Exception checked) {
                throw CheckedBodies.<RuntimeException>unchecked(checked);
            }
        });
    }

    /** Throws {@code e} as it is: the compiler erases {@code T}, so no cast is checked at run time. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchecked(Throwable e) throws T {
        throw (T) e;
    }
}
