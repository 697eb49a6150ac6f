package io.aurora4j.boundary;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where a boundary's released outputs go: the outside world (a log, a socket, a message broker, a reply).
 *
 * <p>A boundary calls its sink from its release task, one output at a time, in release order, never from
 * two threads at once, and never inside a transaction. An output counts as <em>delivered</em> when
 * {@link #deliver} returns {@code null} or a stage that completes normally; the boundary then moves on to
 * the next output. If {@code deliver} throws, or its stage completes exceptionally, the boundary applies its
 * {@link RetryPolicy} and, once the attempts are used up, hands the output to its {@link DeadLetterHandler}
 * (see {@link Boundary}). While an asynchronous delivery is pending, later outputs wait: order is kept.
 *
 * <p>Implementations need not be thread-safe (calls are serialized and each happens-after the previous
 * one's completion), must not start transactions of the boundary's group and must not wait for that
 * group's boundaries to flush (the release task would wait for itself).
 *
 * @param <T> the type of the outputs
 */
@FunctionalInterface
public interface Sink<T> {

    /**
     * Delivers one output.
     *
     * @return {@code null} when the output was delivered before returning, or a stage that completes when
     *         it is delivered (exceptionally if it could not be)
     * @throws Exception if the output could not be delivered
     */
    CompletionStage<?> deliver(T output) throws Exception;

    /** A synchronous sink: {@code consumer.accept(output)}; delivered when it returns. */
    static <T> Sink<T> of(Consumer<? super T> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return output -> {
            consumer.accept(output);
            return null;
        };
    }

    /**
     * An asynchronous sink: {@code send} starts the delivery and returns a stage (a
     * {@code CompletableFuture}, say) that completes when it is done. The release task does not block
     * while a stage is pending; the next output goes out after it completes. A {@code null} stage counts as
     * a failure.
     */
    static <T> Sink<T> async(Function<? super T, ? extends CompletionStage<?>> send) {
        Objects.requireNonNull(send, "send");
        return output -> {
            CompletionStage<?> stage = send.apply(output);
            if (stage == null) {
                throw new NullPointerException("the asynchronous sink returned no stage for an output");
            }
            return stage;
        };
    }

    /**
     * Writes each output as the bytes {@code framer} makes of it, then flushes the stream: delivered once
     * {@code write} and {@code flush} returned. The stream is not closed by the boundary. A retry writes
     * the whole frame again, so a stream that may fail half way through a frame should not be retried
     * (retries are off by default).
     */
    static <T> Sink<T> stream(OutputStream out, Framer<? super T> framer) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(framer, "framer");
        return output -> {
            ByteBuffer frame = framer.frame(output);
            if (frame.hasArray()) {
                out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
            } else {
                byte[] bytes = new byte[frame.remaining()];
                frame.get(bytes);
                out.write(bytes);
            }
            out.flush();
            return null;
        };
    }

    /**
     * Writes each output as the bytes {@code framer} makes of it to a channel, until the whole frame is
     * written: delivered then. A non-blocking channel that accepts nothing is waited for (parking 50 µs
     * between tries), up to 10 s, after which the attempt fails. A retry writes the whole frame again.
     */
    static <T> Sink<T> channel(WritableByteChannel channel, Framer<? super T> framer) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(framer, "framer");
        return output -> {
            ByteBuffer frame = framer.frame(output);
            long stalledSince = 0;
            while (frame.hasRemaining()) {
                if (channel.write(frame) > 0) {
                    stalledSince = 0;
                } else if (stalledSince == 0) {
                    stalledSince = System.nanoTime();
                } else if (System.nanoTime() - stalledSince > 10_000_000_000L) {
                    throw new IOException("the channel accepted no byte for 10 s; " + frame.remaining() + " bytes of the frame unwritten");
                } else {
                    LockSupport.parkNanos(50_000L);
                }
            }
            return null;
        };
    }
}
