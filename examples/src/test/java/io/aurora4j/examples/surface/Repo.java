package io.aurora4j.examples.surface;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository's files as the surface tests read them: from the checkout the tests run in. */
final class Repo {
    /** The published modules: the directories with a {@code module-info.java}, in dependency order. */
    static final List<String> PUBLISHED = List.of("store", "rollback-notify", "txn-core", "external-consistency", "speculation", "micrometer");

    private Repo() {
    }

    /** The repository's top directory (surefire runs tests in the module's directory, {@code examples/}). */
    static Path root() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("ARCHITECTURE.md")) && Files.isDirectory(d.resolve("examples"))) {
                return d;
            }
        }
        throw new IllegalStateException("no Aurora4j checkout (a directory with ARCHITECTURE.md and examples/) above " + dir);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code .java} files under {@code dir}, sorted. */
    static List<Path> javaFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
