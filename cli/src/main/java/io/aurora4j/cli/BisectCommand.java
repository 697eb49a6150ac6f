package io.aurora4j.cli;

import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.txn.CheckpointView;
import io.aurora4j.txn.DurableHistory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * {@code sls bisect DIR --predicate CLASS --classpath PATH}: the first durable checkpoint whose state breaks the
 * user's invariant, through {@link DurableHistory#bisect}; the predicate class is loaded from the user's classpath.
 */
@Command(name = "bisect", mixinStandardHelpOptions = true,
        description = "Find the first durable checkpoint whose state breaks an invariant: CLASS, loaded from PATH, is "
                + "a public java.util.function.Predicate<io.aurora4j.txn.CheckpointView> with a public no-argument "
                + "constructor; each checkpoint it is asked about is restored into an in-memory group of its own, "
                + "and the predicate finds objects by id through view.checkpoint().group(). Assumes that once "
                + "broken the invariant stays broken: at most 1 + ceil(log2 n) evaluations. Exits 1 and names the "
                + "checkpoint if one breaks it, 0 if the newest holds.")
final class BisectCommand extends StoreCommand {
    @Option(names = "--predicate", paramLabel = "CLASS", required = true, description = "the invariant's class name")
    String predicate;

    @Option(names = "--classpath", paramLabel = "PATH", required = true,
            description = "where CLASS and what it needs are: directories and jars, separated by '"
                    + "${sys:path.separator}'")
    String classpath;

    @Override
    int run(OpenStore open) throws UsageError {
        List<StoredCheckpoint> held = open.store.checkpoints();
        AtomicInteger evaluations = new AtomicInteger();
        Optional<StoredCheckpoint> found;
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        try (URLClassLoader loader = UserClasspath.loader(classpath)) {
            Predicate<CheckpointView> holds = load(loader);
            self.setContextClassLoader(loader); // codecs and the predicate may look classes up by name
            found = DurableHistory.bisect(open.store, view -> {
                evaluations.incrementAndGet();
                try {
                    return holds.test(view);
                } catch (RuntimeException | LinkageError e) {
                    throw new PredicateFailed("the predicate " + predicate + " threw at checkpoint "
                            + view.checkpoint().id() + ": " + e, e);
                }
            });
        } catch (PredicateFailed e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            self.setContextClassLoader(before);
        }
        StoredCheckpoint lastGood = null;
        if (found.isPresent()) {
            int at = held.indexOf(found.get());
            lastGood = at > 0 ? held.get(at - 1) : null;
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", open.directory.toString());
            doc.put("predicate", predicate);
            doc.put("checkpoints", held.size());
            doc.put("evaluations", evaluations.get());
            doc.put("firstBad", found.map(BisectCommand::describe).orElse(null));
            doc.put("lastGood", lastGood == null ? null : describe(lastGood));
            out().println(Json.write(doc));
        } else if (found.isEmpty()) {
            out().printf("%s: the newest checkpoint%s holds %s (%d evaluation over %d checkpoints)%n", open.directory,
                    held.isEmpty() ? " (none held)" : " " + held.getLast().id(), predicate, evaluations.get(),
                    held.size());
        } else {
            StoredCheckpoint c = found.get();
            out().printf("%s: first checkpoint that breaks %s: %d%s, committed %s (%d evaluations over %d "
                            + "checkpoints)%n", open.directory, predicate, c.id(),
                    c.label() == null ? "" : " '" + c.label() + "'", Instant.ofEpochMilli(c.committedAtMillis()),
                    evaluations.get(), held.size());
            out().println(lastGood == null ? "it is the oldest checkpoint held: the invariant may have been broken "
                    + "before it" : "the one before it holds: " + lastGood.id()
                    + (lastGood.label() == null ? "" : " '" + lastGood.label() + "'"));
        }
        return found.isPresent() ? Sls.PROBLEM : Sls.OK;
    }

    private static Map<String, Object> describe(StoredCheckpoint c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("label", c.label());
        m.put("committedAt", Instant.ofEpochMilli(c.committedAtMillis()).toString());
        return m;
    }

    @SuppressWarnings("unchecked")
    private Predicate<CheckpointView> load(ClassLoader loader) throws UsageError {
        Class<?> c;
        try {
            c = Class.forName(predicate, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new UsageError("--predicate: cannot load " + predicate + " from " + classpath + ": " + e);
        }
        if (!Predicate.class.isAssignableFrom(c)) {
            throw new UsageError("--predicate: " + predicate + " is not a java.util.function.Predicate");
        }
        try {
            return (Predicate<CheckpointView>) c.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException | InstantiationException e) {
            throw new UsageError("--predicate: " + predicate + " needs a public no-argument constructor: " + e);
        } catch (InvocationTargetException e) {
            throw new UsageError("--predicate: the constructor of " + predicate + " threw " + e.getCause());
        }
    }

    /** The user's predicate threw: a usage error, named with the checkpoint. */
    private static final class PredicateFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PredicateFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
