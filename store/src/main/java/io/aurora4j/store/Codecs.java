package io.aurora4j.store;

import io.aurora4j.store.internal.codec.CodecRegistry;
import io.aurora4j.store.internal.codec.Decoder;
import io.aurora4j.store.internal.codec.Encoder;
import io.aurora4j.store.internal.codec.EnumShape;
import io.aurora4j.store.internal.codec.RecordShape;
import io.aurora4j.store.internal.codec.Tags;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns heap values — a {@code TRef}'s value, a {@code TMap}'s keys and values — into bytes and back.
 *
 * <p>Built in: {@code null}, {@link Long}, {@link Integer}, {@link Short}, {@link Byte}, {@link Character},
 * {@link Boolean}, {@link Double}, {@link Float}, {@link String} (any, even with unpaired surrogates),
 * {@code byte[]}, and {@link List}s, {@link java.util.Set}s and {@link java.util.Map}s of supported values. A
 * record is supported once allowed with {@link Builder#allowRecord(Class)} (its components must be supported
 * values), an enum once allowed with {@link Builder#allowEnum(Class)}; any other class needs a {@link Codec}
 * registered with {@link Builder#register(Codec)}.
 *
 * <p>The encoding is self-describing: a tag byte per value, and for a record, an enum or a user codec the stable name it
 * was registered under, so {@link #decode(byte[])} needs no type from the caller. It is canonical: equal values
 * give equal bytes (sets and maps are written in byte order of their encoded elements), so encoded map keys can
 * be compared as bytes. Decoded lists, sets and maps are unmodifiable, with sets and maps iterating in that byte
 * order.
 *
 * <p>Decoding treats its input as untrusted. It only ever constructs built-in values, allowed records (through
 * their canonical constructor, so a compact constructor's checks run), constants of allowed enums and values of
 * registered codecs; it never
 * uses Java serialization or loads a class named by the input. Truncated or malformed input, an unknown tag or
 * name, a length beyond the input (checked before anything is allocated for it) and nesting deeper than
 * {@link #MAX_DEPTH} are each a {@link CodecException} naming what and at which offset.
 *
 * <p>Immutable and thread-safe. The per-class work (finding a record's constructor and accessors, choosing how a
 * class is written) is done once and cached.
 *
 * {@snippet :
 * record Point(int x, int y) {}
 * Codecs codecs = Codecs.builder().allowRecord(Point.class).build();
 * byte[] bytes = codecs.encode(List.of(new Point(1, 2), "text", 42L));
 * Object back = codecs.decode(bytes); // [Point[x=1, y=2], text, 42]
 * }
 */
public final class Codecs {
    /** The deepest nesting of values encoded or decoded; the top-level value is at depth 1. */
    public static final int MAX_DEPTH = Tags.MAX_DEPTH;

    private static final Codecs DEFAULTS = new Codecs(new CodecRegistry(List.of(), List.of(), List.of()));

    private final CodecRegistry registry;

    private Codecs(CodecRegistry registry) {
        this.registry = registry;
    }

    /** The built-in codecs only: no records, no user codecs. */
    public static Codecs defaults() {
        return DEFAULTS;
    }

    /** A builder for a registry with records and user codecs besides the built-ins. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Encodes {@code value} (which may be null).
     *
     * @throws IllegalArgumentException if the value, or a value inside it, is of a class with no codec (the
     *                                  message says what to register), or values nest deeper than {@link #MAX_DEPTH}
     */
    public byte[] encode(Object value) {
        Encoder encoder = new Encoder(registry, 64);
        encoder.writeValue(value);
        return encoder.toByteArray();
    }

    /**
     * Decodes the one value {@code bytes} hold.
     *
     * @throws CodecException if the bytes are not exactly one value this registry can decode
     */
    public Object decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Decodes the one value held by {@code length} bytes of {@code bytes} from {@code offset}; offsets in
     * exceptions are relative to {@code offset}.
     *
     * @throws CodecException            if those bytes are not exactly one value this registry can decode
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public Object decode(byte[] bytes, int offset, int length) {
        return new Decoder(registry, bytes, offset, length).decodeWhole();
    }

    /**
     * Decodes the one value {@code bytes} hold and checks it is null or a {@code type}.
     *
     * @throws CodecException if the bytes are not one value, or it is of another type
     */
    public <T> T decode(byte[] bytes, Class<T> type) {
        Object value = decode(bytes);
        if (value != null && !type.isInstance(value)) {
            throw new CodecException(0, "expected a " + type.getName() + ", decoded a " + value.getClass().getName());
        }
        return type.cast(value);
    }

    /**
     * Whether values of {@code type} can be encoded by this registry (built in, an allowed record, or covered
     * by a registered codec). For containers and records, their contents must be encodable too.
     */
    public boolean supports(Class<?> type) {
        return registry.supports(type);
    }

    /**
     * Builds a {@link Codecs}. Every method checks its arguments at once (a record whose constructor cannot be
     * accessed fails here, not at the first encode); {@link #build()} checks the whole: stored names unique
     * across records and codecs, one registration per class, no codec for a built-in type. Not thread-safe.
     */
    public static final class Builder {
        private final List<Codec<?>> codecs = new ArrayList<>();
        private final List<RecordShape> records = new ArrayList<>();
        private final List<EnumShape> enums = new ArrayList<>();

        private Builder() {
        }

        /**
         * Registers a codec for values of {@code codec.type()} (and its subclasses, unless a closer codec or an
         * allowed record covers them), stored under {@code codec.name()}.
         */
        public Builder register(Codec<?> codec) {
            Objects.requireNonNull(codec, "codec");
            Objects.requireNonNull(codec.name(), "codec.name()");
            Objects.requireNonNull(codec.type(), "codec.type()");
            codecs.add(codec);
            return this;
        }

        /**
         * Allows record {@code type}, stored under its class name. Its canonical constructor and accessors are
         * found through this module's access: the record's package must be opened to {@code io.aurora4j.store}
         * (or, for a public record, exported to it); an unnamed module (the class path) opens everything.
         * Otherwise use {@link #allowRecord(MethodHandles.Lookup, Class)}.
         *
         * @throws IllegalArgumentException if it is not a record or cannot be accessed (the message says what to do)
         */
        public <R extends Record> Builder allowRecord(Class<R> type) {
            return allowRecord(null, type, Objects.requireNonNull(type, "type").getName());
        }

        /**
         * Allows record {@code type}, stored under {@code name} instead of its class name (so the class can be
         * renamed or moved later without orphaning stored values).
         */
        public <R extends Record> Builder allowRecord(Class<R> type, String name) {
            return allowRecord(null, type, name);
        }

        /**
         * Allows record {@code type}, stored under its class name, reaching its constructor and accessors through
         * {@code lookup} — typically {@code MethodHandles.lookup()} called in the record's own module, so no
         * {@code opens} is needed.
         */
        public <R extends Record> Builder allowRecord(MethodHandles.Lookup lookup, Class<R> type) {
            return allowRecord(Objects.requireNonNull(lookup, "lookup"), type, Objects.requireNonNull(type, "type").getName());
        }

        /** Allows record {@code type} under {@code name}, reached through {@code lookup} (null: this module's access). */
        public <R extends Record> Builder allowRecord(MethodHandles.Lookup lookup, Class<R> type, String name) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            records.add(RecordShape.of(lookup, type, name));
            return this;
        }

        /**
         * Allows enum {@code type}, stored under its class name; its constants are stored by name (so constants
         * may be reordered or added, not renamed).
         */
        public <E extends Enum<E>> Builder allowEnum(Class<E> type) {
            return allowEnum(type, Objects.requireNonNull(type, "type").getName());
        }

        /** Allows enum {@code type}, stored under {@code name} instead of its class name. */
        public <E extends Enum<E>> Builder allowEnum(Class<E> type, String name) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            enums.add(EnumShape.of(type, name));
            return this;
        }

        /**
         * The registry.
         *
         * @throws IllegalArgumentException if a name is used twice, a class registered twice, or a codec targets a built-in type
         */
        public Codecs build() {
            return new Codecs(new CodecRegistry(codecs, records, enums));
        }
    }
}
