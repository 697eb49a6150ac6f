package io.aurora4j.cli;

/**
 * How a durable group lays out its objects in the store (txn-core's {@code Durability}, package-private there):
 * the kind byte, longs as 8 big-endian bytes, a region's value as its capacity and page size. Kept here rather
 * than exported from txn-core, which has no reason to publish its layout; {@code SlsTest} checks it against
 * what a real group writes. Stateless; thread-safe.
 */
final class Kinds {
    static final byte GROUP = 0;
    static final byte LONG = 1;
    static final byte REF = 2;
    static final byte MAP = 3;
    static final byte REGION = 4;
    /** The object holding the group's name. */
    static final String GROUP_META_ID = "\u0000group";

    private Kinds() {
    }

    static String name(byte kind) {
        return switch (kind) {
            case GROUP -> "group";
            case LONG -> "long";
            case REF -> "ref";
            case MAP -> "map";
            case REGION -> "region";
            default -> "unknown kind " + kind;
        };
    }

    /** The big-endian long at {@code at}, or null if {@code b} is too short. */
    static Long longAt(byte[] b, int at) {
        if (b.length < at + 8) {
            return null;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    static String hex(byte[] b, int offset, int length) {
        StringBuilder s = new StringBuilder(length * 2);
        for (int i = offset; i < offset + length; i++) {
            s.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
        }
        return s.toString();
    }

    /** An object id as text: the group's reserved id shows its NUL as {@code \0}. */
    static String showId(String id) {
        return id.replace("\u0000", "\\0");
    }
}
