package io.aurora4j.store.internal;

import java.util.Objects;

/** The rule for durable log names: they become file names, so no separators and nothing odd. Stateless. */
final class LogNames {
    private static final int MAX = 100;

    private LogNames() {
    }

    static void check(String name) {
        Objects.requireNonNull(name, "log name");
        if (name.isEmpty() || name.length() > MAX || name.charAt(0) == '.') {
            throw new IllegalArgumentException("a log name has 1 to " + MAX
                    + " characters and does not start with '.', was \"" + name + "\"");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("a log name may hold letters, digits, '-', '_' and '.' only, was \""
                        + name + "\"");
            }
        }
    }
}
