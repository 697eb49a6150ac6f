package io.aurora4j.store.internal.codec;

import io.aurora4j.store.Codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The immutable tables behind a {@code Codecs}: user codecs and allowed records by class and by stored name,
 * and a {@link ClassValue} that resolves, once per class, how a value of that class is written, so that an
 * encode costs one class-value lookup per value instead of a walk over the registrations.
 */
public final class CodecRegistry {
    /** How one class of values is written. */
    @FunctionalInterface
    interface ValueWriter {
        void write(Object value, Encoder out);
    }

    /** A user codec with its stored name pre-encoded. */
    record Custom(Codec<?> codec, byte[] nameBytes) {
    }

    private final Map<Class<?>, Custom> customByType;
    private final List<Custom> customInOrder;
    private final Map<Class<?>, RecordShape> recordByType;
    private final Map<Class<?>, EnumShape> enumByType;
    private final Map<String, Object> byName; // Custom, RecordShape or EnumShape

    private final ClassValue<ValueWriter> writers = new ClassValue<>() {
        @Override
        protected ValueWriter computeValue(Class<?> type) {
            return resolve(type);
        }
    };

    /**
     * Builds the tables.
     *
     * @throws IllegalArgumentException on a name used twice, a class registered twice, or a codec for a built-in type
     */
    public CodecRegistry(List<Codec<?>> codecs, List<RecordShape> records, List<EnumShape> enums) {
        Map<Class<?>, Custom> customByType = new HashMap<>();
        List<Custom> inOrder = new ArrayList<>();
        Map<Class<?>, RecordShape> recordByType = new HashMap<>();
        Map<String, Object> byName = new HashMap<>();
        for (Codec<?> codec : codecs) {
            String name = checkName(codec.name());
            Class<?> type = codec.type();
            if (type == null) {
                throw new IllegalArgumentException("codec " + name + " returns a null type()");
            }
            if (isBuiltIn(type)) {
                throw new IllegalArgumentException("codec " + name + " is for " + type.getName()
                        + ", which is built in and cannot be replaced");
            }
            Custom custom = new Custom(codec, name.getBytes(StandardCharsets.UTF_8));
            claimName(byName, name, custom);
            if (customByType.putIfAbsent(type, custom) != null) {
                throw new IllegalArgumentException("two codecs for " + type.getName() + ": "
                        + customByType.get(type).codec().name() + " and " + name);
            }
            inOrder.add(custom);
        }
        for (RecordShape shape : records) {
            claimName(byName, shape.name, shape);
            if (customByType.containsKey(shape.type)) {
                throw new IllegalArgumentException("record " + shape.type.getName() + " is both allowed and covered by codec "
                        + customByType.get(shape.type).codec().name());
            }
            if (recordByType.putIfAbsent(shape.type, shape) != null) {
                throw new IllegalArgumentException("record " + shape.type.getName() + " was allowed twice");
            }
        }
        Map<Class<?>, EnumShape> enumByType = new HashMap<>();
        for (EnumShape shape : enums) {
            claimName(byName, shape.name, shape);
            if (customByType.containsKey(shape.type)) {
                throw new IllegalArgumentException("enum " + shape.type.getName() + " is both allowed and covered by codec "
                        + customByType.get(shape.type).codec().name());
            }
            if (enumByType.putIfAbsent(shape.type, shape) != null) {
                throw new IllegalArgumentException("enum " + shape.type.getName() + " was allowed twice");
            }
        }
        this.enumByType = Map.copyOf(enumByType);
        this.customByType = Map.copyOf(customByType);
        this.customInOrder = List.copyOf(inOrder);
        this.recordByType = Map.copyOf(recordByType);
        this.byName = Map.copyOf(byName);
    }

    private static void claimName(Map<String, Object> byName, String name, Object owner) {
        Object previous = byName.putIfAbsent(name, owner);
        if (previous != null) {
            throw new IllegalArgumentException("the name '" + name + "' is used by both " + describe(previous)
                    + " and " + describe(owner) + ": stored names must be unique");
        }
    }

    private static String describe(Object owner) {
        if (owner instanceof RecordShape r) {
            return "record " + r.type.getName();
        }
        return owner instanceof EnumShape e ? "enum " + e.type.getName() : "codec for " + ((Custom) owner).codec().type().getName();
    }

    /** Checks a stored name: non-null, 1 to {@link Tags#MAX_NAME_BYTES} UTF-8 bytes. */
    static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a record or codec name must not be null or empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Tags.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name '" + name.substring(0, 40) + "...' is " + bytes
                    + " UTF-8 bytes; the limit is " + Tags.MAX_NAME_BYTES);
        }
        return name;
    }

    static boolean isBuiltIn(Class<?> type) {
        return type == Long.class || type == Integer.class || type == Short.class || type == Byte.class
                || type == Character.class || type == Boolean.class || type == Double.class || type == Float.class
                || type == String.class || type == byte[].class || List.class.isAssignableFrom(type)
                || Set.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type);
    }

    ValueWriter writer(Class<?> type) {
        return writers.get(type);
    }

    Object byName(String name) {
        return byName.get(name);
    }

    /** Whether values of {@code type} can be encoded (their contents may still not be). */
    public boolean supports(Class<?> type) {
        return !(writers.get(type) instanceof Unsupported);
    }

    private ValueWriter resolve(Class<?> type) {
        Custom exact = customByType.get(type);
        if (exact != null) {
            return (v, out) -> out.writeCustom(exact, v);
        }
        RecordShape shape = recordByType.get(type);
        if (shape != null) {
            return (v, out) -> out.writeRecord(shape, v);
        }
        // a constant with a body is an instance of an anonymous subclass of its enum
        Class<?> enumType = type.isEnum() ? type : type.getSuperclass() != null && type.getSuperclass().isEnum() ? type.getSuperclass() : null;
        EnumShape enumShape = enumType == null ? null : enumByType.get(enumType);
        if (enumShape != null && !customByType.containsKey(enumType)) {
            return (v, out) -> out.writeEnum(enumShape, v);
        }
        if (type == Long.class) {
            return (v, out) -> out.writeTagged(Tags.LONG, (Long) v);
        } else if (type == Integer.class) {
            return (v, out) -> out.writeTaggedInt((Integer) v);
        } else if (type == String.class) {
            return (v, out) -> out.writeStringValue((String) v);
        } else if (type == byte[].class) {
            return (v, out) -> out.writeBytesValue((byte[]) v);
        } else if (type == Boolean.class) {
            return (v, out) -> out.writeByte((Boolean) v ? Tags.TRUE : Tags.FALSE);
        } else if (type == Double.class) {
            return (v, out) -> out.writeTagged(Tags.DOUBLE, Double.doubleToLongBits((Double) v));
        } else if (type == Float.class) {
            return (v, out) -> {
                out.writeByte(Tags.FLOAT);
                out.writeFloat((Float) v);
            };
        } else if (type == Short.class) {
            return (v, out) -> {
                out.writeByte(Tags.SHORT);
                out.writeShort((Short) v);
            };
        } else if (type == Character.class) {
            return (v, out) -> {
                out.writeByte(Tags.CHAR);
                out.writeChar((Character) v);
            };
        } else if (type == Byte.class) {
            return (v, out) -> {
                out.writeByte(Tags.BYTE);
                out.writeByte((Byte) v);
            };
        }
        for (Custom custom : customInOrder) {
            if (custom.codec().type().isAssignableFrom(type)) {
                return (v, out) -> out.writeCustom(custom, v);
            }
        }
        if (List.class.isAssignableFrom(type)) {
            return (v, out) -> out.writeList((List<?>) v);
        } else if (Set.class.isAssignableFrom(type)) {
            return (v, out) -> out.writeSet((Set<?>) v);
        } else if (Map.class.isAssignableFrom(type)) {
            return (v, out) -> out.writeMap((Map<?, ?>) v);
        }
        if (enumType != null) {
            return new Unsupported("enum " + enumType.getName() + " is not allowed: build the Codecs with "
                    + "Codecs.builder().allowEnum(" + enumType.getSimpleName() + ".class)");
        }
        String message = type.isRecord()
                ? "record " + type.getName() + " is not allowed: build the Codecs with Codecs.builder().allowRecord("
                  + type.getSimpleName() + ".class) (its components must be encodable too)"
                : "no codec for " + type.getName() + ": register a Codec<" + type.getSimpleName()
                  + "> with Codecs.builder().register(codec), or use a record allowed with allowRecord";
        return new Unsupported(message);
    }

    /** Writes nothing: tells what to register. */
    private record Unsupported(String message) implements ValueWriter {
        @Override
        public void write(Object value, Encoder out) {
            throw new IllegalArgumentException(message);
        }
    }
}
