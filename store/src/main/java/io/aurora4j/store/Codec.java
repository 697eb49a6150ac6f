package io.aurora4j.store;

/**
 * Turns values of one user type into bytes and back, for types the built-in codecs of {@link Codecs} do not
 * cover (built in: boxed primitives, {@code String}, {@code byte[]}, {@code null}, lists, sets, maps and allowed
 * records).
 *
 * <p>A codec is registered with {@link Codecs.Builder#register(Codec)} and identified in stored bytes by its
 * {@link #name()}, which must therefore stay the same for as long as stored values must decode (a class name
 * is a poor choice if classes get renamed). {@link #write} must be deterministic: equal values must give equal
 * bytes, because map keys are compared as bytes. {@link #read} must read exactly what {@link #write} wrote; the
 * input it gets is bounded to that value, so reading past it, or leaving bytes unread, is a
 * {@link CodecException}.
 *
 * <p>{@link #read} receives untrusted bytes: it must not instantiate classes named by the input and should
 * check what it reads. Any exception it throws other than a {@link CodecException} is wrapped in one.
 *
 * <p>Implementations must be thread-safe (typically stateless).
 *
 * @param <T> the type of values it encodes
 */
public interface Codec<T> {
    /** The stable name that identifies this codec in stored bytes; 1 to 1024 UTF-8 bytes. */
    String name();

    /** The class of values it encodes; also used for subclasses unless a codec for a closer class is registered. */
    Class<T> type();

    /** Writes {@code value} (never null: null is encoded by {@link Codecs} itself). */
    void write(T value, CodecOutput out);

    /**
     * Reads a value written by {@link #write}.
     *
     * @throws CodecException if the bytes are not a value this codec wrote
     */
    T read(CodecInput in);
}
