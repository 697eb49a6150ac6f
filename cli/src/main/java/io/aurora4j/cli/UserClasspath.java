package io.aurora4j.cli;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a class the user names from the classpath the user gives ({@code --classpath}): a predicate for
 * {@code bisect}, the codecs for {@code dump} and {@code diff}. Stateless; thread-safe.
 */
final class UserClasspath {
    private UserClasspath() {
    }

    /** A loader over {@code classpath} (entries separated as the platform does), its parent sls's own loader. */
    static URLClassLoader loader(String classpath) throws StoreCommand.UsageError {
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                throw new StoreCommand.UsageError("--classpath: no such file or directory " + p);
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new StoreCommand.UsageError("--classpath: " + p + ": " + e.getMessage());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), UserClasspath.class.getClassLoader());
    }
}
