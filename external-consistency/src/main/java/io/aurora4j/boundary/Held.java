package io.aurora4j.boundary;

import java.util.concurrent.CompletableFuture;

/**
 * One entry of a boundary's queue: an output with the epoch of the work that produced it, the outputs of
 * one transaction (unpacked by the release task), or a flush marker. Created by the sender; {@link #epoch} is written once before the entry is offered to the queue
 * (at the commit point for a transactional send) and read by the releaser after polling it, so the
 * queue's offer/poll pair publishes it.
 */
final class Held {
    /** The epoch of an output of an {@code IMMEDIATE} boundary: below every watermark, never discarded. */
    static final long IMMEDIATE = Long.MIN_VALUE;

    final Object output;
    /** Non-null for the outputs of one transaction, queued as one entry so that they stay together. */
    final Held[] parts;
    /** Non-null for a flush marker. */
    final CompletableFuture<Void> flushed;
    long epoch;
    /** The position among this boundary's released outputs, 1-based; set when released. */
    long sequence;
    /**
     * Set (by the release task, under the consumer lock) when the output can never be released: its group's
     * durable store failed before its epoch was durable. It then goes to the dead-letter handler with this cause.
     */
    Throwable neverReleased;

    Held(Object output) {
        this.output = output;
        this.parts = null;
        this.flushed = null;
    }

    Held(Held[] parts) {
        this.output = null;
        this.parts = parts;
        this.flushed = null;
    }

    Held(CompletableFuture<Void> flushed) {
        this.output = null;
        this.parts = null;
        this.flushed = flushed;
    }

    boolean isMarker() {
        return flushed != null;
    }
}
