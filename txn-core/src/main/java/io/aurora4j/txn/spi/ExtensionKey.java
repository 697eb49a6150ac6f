package io.aurora4j.txn.spi;

import java.util.Objects;

/**
 * Names one kind of per-group extension: the single object another Aurora4j module keeps for a group (the
 * boundaries' outputs coordinator, the speculation chain), reached through {@link TxnSpi#extension}. The
 * extension lives in the group itself and goes with it, so no module keeps a global registry keyed by groups.
 *
 * <p>Keys compare by identity: a module declares each of its keys once, as a {@code private static final}
 * constant, and nobody else can name it. The type parameter ties the key to what its creator returns, so a
 * look-up needs no cast. Immutable and thread-safe.
 *
 * @param <T> the type of the extension this key finds
 */
public final class ExtensionKey<T> {
    private final String name;

    private ExtensionKey(String name) {
        this.name = name;
    }

    /**
     * A new key, distinct from every other; {@code name} only describes it (in messages and {@link #toString}).
     *
     * @param <T>  the type of the extension the key finds
     * @param name what the extension is, e.g. {@code "io.aurora4j.boundary outputs"}
     * @return the key
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <T> ExtensionKey<T> named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an extension key's name must not be blank");
        }
        return new ExtensionKey<>(name);
    }

    /** What the extension is: the name given to {@link #named}. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ExtensionKey[" + name + "]";
    }
}
