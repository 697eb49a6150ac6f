package io.aurora4j.store.testing;

import java.util.Arrays;
import java.util.List;

/**
 * What every reader of foreign bytes promises, checked by the fuzz targets on each input: it returns or throws
 * one of its documented exception types (anything else is a finding), it allocates at most {@code ratio} bytes
 * per input byte plus {@code slack} on the calling thread's heap and leaves at most as much direct memory
 * pinned, and it returns within {@link #INPUT_MILLIS} (a hang beyond it is also stopped by libFuzzer's
 * {@code -timeout}, set in the poms). Thread-safe (immutable).
 *
 * @param target     the reader, for messages
 * @param ratio      bytes allocated per input byte, at most
 * @param slack      constant part of the allocation bound
 * @param documented the exception types the reader documents; subclasses count
 */
public record ForeignBytesContract(String target, long ratio, long slack, List<Class<? extends Throwable>> documented) {
    /** Time one input may take; {@code fuzz.inputMillis} overrides it (a slow machine, a debugger). */
    public static final long INPUT_MILLIS = Long.getLong("fuzz.inputMillis", 10_000);

    /** A contract for {@code target}. */
    @SafeVarargs
    public static ForeignBytesContract of(String target, long ratio, long slack, Class<? extends Throwable>... documented) {
        return new ForeignBytesContract(target, ratio, slack, Arrays.asList(documented));
    }

    /**
     * Runs {@code call} over {@code inputBytes} of foreign bytes and checks the contract. A call during which
     * classes were loaded runs again (up to three times), so that loading, linking and instrumenting the reader's
     * classes on a path's first use is not charged to the input: calls must therefore be repeatable (they set up
     * their files themselves).
     *
     * @return what the call threw (one of the documented types), or null if it returned
     * @throws AssertionError naming the breach; an undocumented exception is its cause
     */
    public Throwable check(long inputBytes, AllocationMeter.Call call) {
        AllocationMeter.Cost cost = AllocationMeter.measure(call);
        for (int again = 0; again < 3 && cost.classesLoaded() > 0; again++) {
            cost = AllocationMeter.measure(call);
        }
        Throwable thrown = cost.thrown();
        if (thrown instanceof AssertionError e) {
            throw e; // an oracle inside the call failed
        }
        if (thrown != null && documented.stream().noneMatch(t -> t.isInstance(thrown))) {
            throw new AssertionError(target + " threw an undocumented " + thrown.getClass().getName() + " on "
                    + inputBytes + " bytes (documented: " + documented + ")", thrown);
        }
        long bound = ratio * inputBytes + slack;
        if (cost.heapBytes() > bound) {
            throw new AssertionError(target + " allocated " + cost.heapBytes() + " heap bytes for " + inputBytes
                    + " input bytes (bound " + bound + ")", thrown);
        }
        if (cost.directBytes() > bound) {
            throw new AssertionError(target + " left " + cost.directBytes() + " direct bytes pinned for " + inputBytes
                    + " input bytes (bound " + bound + ")", thrown);
        }
        if (cost.nanos() > INPUT_MILLIS * 1_000_000) {
            throw new AssertionError(target + " took " + cost.nanos() / 1_000_000 + " ms on " + inputBytes
                    + " input bytes (bound " + INPUT_MILLIS + " ms)", thrown);
        }
        return thrown;
    }
}
