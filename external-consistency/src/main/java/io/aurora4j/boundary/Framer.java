package io.aurora4j.boundary;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns one output into the bytes a byte sink ({@link Sink#stream}, {@link Sink#channel}) writes for it,
 * framing included: the application chooses how a reader finds where one output ends. Called on the
 * release task, so the sending thread pays nothing for encoding; the output must therefore not change
 * after it was sent.
 *
 * @param <T> the type of the outputs
 */
@FunctionalInterface
public interface Framer<T> {

    /** The bytes for {@code output}, between the buffer's position and limit. */
    ByteBuffer frame(T output);

    /** {@code String.valueOf(output)} in UTF-8 followed by {@code '\n'}: one output per line. */
    static <T> Framer<T> lines() {
        return lines(StandardCharsets.UTF_8);
    }

    /** {@code String.valueOf(output)} in {@code charset} followed by {@code '\n'}. */
    static <T> Framer<T> lines(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return output -> {
            byte[] text = String.valueOf(output).getBytes(charset);
            return ByteBuffer.allocate(text.length + 1).put(text).put((byte) '\n').flip();
        };
    }

    /**
     * A 4-byte big-endian length followed by the bytes {@code encoder} makes of the output: a reader reads
     * the length, then that many bytes.
     */
    static <T> Framer<T> lengthPrefixed(Function<? super T, byte[]> encoder) {
        Objects.requireNonNull(encoder, "encoder");
        return output -> {
            byte[] body = encoder.apply(output);
            return ByteBuffer.allocate(Integer.BYTES + body.length).putInt(body.length).put(body).flip();
        };
    }
}
