package io.aurora4j.store.internal.codec;

import io.aurora4j.store.CodecException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;

/**
 * An allowed record class with the method handles that take it apart and build it again: its component
 * accessors and its canonical constructor, found once at registration (never per value) and adapted to
 * {@code Object} signatures so that one call site serves every record.
 */
public final class RecordShape {
    final Class<?> type;
    final String name;
    final byte[] nameBytes;
    private final MethodHandle constructor; // (Object[])Object
    private final MethodHandle[] accessors; // (Object)Object each
    private final String[] componentNames;
    private final Class<?>[] acceptedTypes; // boxed for primitives
    private final boolean[] primitive;

    private RecordShape(Class<?> type, String name, MethodHandle constructor, MethodHandle[] accessors,
                        String[] componentNames, Class<?>[] acceptedTypes, boolean[] primitive) {
        this.type = type;
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.constructor = constructor;
        this.accessors = accessors;
        this.componentNames = componentNames;
        this.acceptedTypes = acceptedTypes;
        this.primitive = primitive;
    }

    /** The record's class. */
    public Class<?> type() {
        return type;
    }

    /** The name it is stored under. */
    public String name() {
        return name;
    }

    /**
     * Finds the handles of record {@code type} through {@code lookup}, or, if null, through this module's own
     * access (the record's package must then be exported or opened to {@code io.aurora4j.store}).
     *
     * @throws IllegalArgumentException if it is not a record or its members cannot be accessed, saying what to do
     */
    public static RecordShape of(MethodHandles.Lookup lookup, Class<?> type, String name) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not a record: register a Codec for it instead");
        }
        CodecRegistry.checkName(name);
        RecordComponent[] components = type.getRecordComponents();
        int n = components.length;
        Class<?>[] parameterTypes = new Class<?>[n];
        String[] names = new String[n];
        Class<?>[] accepted = new Class<?>[n];
        boolean[] primitive = new boolean[n];
        for (int i = 0; i < n; i++) {
            Class<?> t = components[i].getType();
            parameterTypes[i] = t;
            names[i] = components[i].getName();
            primitive[i] = t.isPrimitive();
            accepted[i] = t.isPrimitive() ? MethodType.methodType(t).wrap().returnType() : t;
        }
        // Reflection on a class of another module needs that module to be readable; a module may add reads for itself.
        RecordShape.class.getModule().addReads(type.getModule());
        ReflectiveOperationException failure = null;
        for (MethodHandles.Lookup candidate : candidates(lookup, type)) {
            try {
                MethodHandle ctor = candidate.findConstructor(type, MethodType.methodType(void.class, parameterTypes));
                MethodHandle[] accessors = new MethodHandle[n];
                for (int i = 0; i < n; i++) {
                    accessors[i] = candidate.findVirtual(type, names[i], MethodType.methodType(parameterTypes[i]))
                            .asType(MethodType.methodType(Object.class, Object.class));
                }
                MethodHandle spread = ctor.asSpreader(Object[].class, n)
                        .asType(MethodType.methodType(Object.class, Object[].class));
                return new RecordShape(type, name, spread, accessors, names, accepted, primitive);
            } catch (NoSuchMethodException | IllegalAccessException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        String pkg = type.getPackageName();
        throw new IllegalArgumentException("cannot access the canonical constructor and accessors of record "
                + type.getName() + " from module io.aurora4j.store (" + failure + "). Either add `opens " + pkg
                + " to io.aurora4j.store;` (or `exports`, for a public record) to the module-info of "
                + type.getModule() + ", or register it with Codecs.builder().allowRecord(MethodHandles.lookup(), "
                + type.getSimpleName() + ".class) from code that can access it", failure);
    }

    private static MethodHandles.Lookup[] candidates(MethodHandles.Lookup given, Class<?> type) {
        MethodHandles.Lookup own = MethodHandles.lookup();
        if (given != null) {
            MethodHandles.Lookup priv = privateIn(type, given);
            return priv == null ? new MethodHandles.Lookup[] {given} : new MethodHandles.Lookup[] {given, priv};
        }
        MethodHandles.Lookup priv = privateIn(type, own);
        return priv == null ? new MethodHandles.Lookup[] {own} : new MethodHandles.Lookup[] {priv, own};
    }

    private static MethodHandles.Lookup privateIn(Class<?> type, MethodHandles.Lookup from) {
        try {
            return MethodHandles.privateLookupIn(type, from);
        } catch (IllegalAccessException | SecurityException e) {
            return null;
        }
    }

    int arity() {
        return accessors.length;
    }

    Object component(Object record, int i) {
        try {
            return (Object) accessors[i].invokeExact(record);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("accessor " + componentNames[i] + " of " + type.getName() + " threw", t);
        }
    }

    void check(int i, Object value, long offset) {
        if (value == null ? primitive[i] : !acceptedTypes[i].isInstance(value)) {
            throw new CodecException(offset, "component " + componentNames[i] + " of record " + name + " is a "
                    + acceptedTypes[i].getName() + "; the stored value is "
                    + (value == null ? "null" : "a " + value.getClass().getName()));
        }
    }

    Object construct(Object[] args, long offset) {
        try {
            return (Object) constructor.invokeExact(args);
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException(offset, "the constructor of record " + name + " rejected the stored components: " + t, t);
        }
    }
}
