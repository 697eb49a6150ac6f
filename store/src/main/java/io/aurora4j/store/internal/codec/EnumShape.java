package io.aurora4j.store.internal.codec;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An allowed enum: its constants by name and each constant's pre-encoded name. Constants are stored by name,
 * not ordinal, so reordering or adding constants keeps stored values readable; renaming one does not.
 */
public final class EnumShape {
    final Class<?> type;
    final String name;
    final byte[] nameBytes;
    private final byte[][] constantNames; // by ordinal
    private final Map<String, Object> byName;

    private EnumShape(Class<?> type, String name) {
        this.type = type;
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        Object[] constants = type.getEnumConstants();
        this.constantNames = new byte[constants.length][];
        this.byName = new HashMap<>();
        for (Object c : constants) {
            Enum<?> e = (Enum<?>) c;
            constantNames[e.ordinal()] = e.name().getBytes(StandardCharsets.UTF_8);
            byName.put(e.name(), e);
        }
    }

    /**
     * The shape of enum {@code type} stored under {@code name}.
     *
     * @throws IllegalArgumentException if it is not an enum or the name is invalid
     */
    public static EnumShape of(Class<?> type, String name) {
        if (!type.isEnum()) {
            throw new IllegalArgumentException(type.getName() + " is not an enum");
        }
        return new EnumShape(type, CodecRegistry.checkName(name));
    }

    byte[] constantName(Object constant) {
        return constantNames[((Enum<?>) constant).ordinal()];
    }

    Object constant(String constantName) {
        return byName.get(constantName);
    }
}
