package io.aurora4j.store.internal;

import java.util.Arrays;

/** A map key by content: byte arrays compare by identity, keys of stored entries by value. Immutable. */
record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Key" + Arrays.toString(bytes);
    }
}
