package io.aurora4j.speculation;

import java.util.Objects;

/**
 * The cause of a speculation that {@link Speculation#confirmWhen confirmWhen} failed because the reply
 * arrived and the predicate rejected it; {@link #actual()} is that reply. Immutable if the reply is.
 */
public final class MispredictionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object actual;

    MispredictionException(String message, Object actual) {
        super(message, null, false, false);
        this.actual = actual;
    }

    /** The reply that did not match the prediction (may be null if the reply was null). */
    public Object actual() {
        return actual;
    }

    static MispredictionException of(Speculation s, Object actual) {
        return new MispredictionException("misprediction in speculation #" + s.id() + " of group '" + s.group().name()
                + "': the reply " + Objects.toString(actual) + " failed the prediction", actual);
    }
}
