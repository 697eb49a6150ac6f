package io.aurora4j.cli;

import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoredCheckpoint;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** What every command shares: the directory, {@code --json}, opening read-only and the exit codes. Not thread-safe. */
abstract class StoreCommand implements Callable<Integer> {
    // Optional to picocli so that a command may also work without a directory (sls send --pid); call() requires it.
    @Parameters(index = "0", paramLabel = "DIR", arity = "0..1", description = "the store directory")
    Path directory;

    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Sls parent;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public final Integer call() {
        if (directory == null) {
            Integer done = withoutDirectory();
            if (done != null) {
                return done;
            }
            err().println("sls " + spec.name() + ": missing the store directory DIR (see sls " + spec.name() + " --help)");
            return Sls.USAGE;
        }
        OpenStore open;
        try {
            open = OpenStore.open(directory);
        } catch (OpenStore.Refused e) {
            err().println("sls " + spec.name() + ": " + e.getMessage());
            return Sls.CANNOT_OPEN;
        } catch (StoreCorruptedException e) {
            return corrupt(e);
        }
        try (open) {
            int code = run(open);
            out().flush();
            return code;
        } catch (UsageError e) {
            err().println("sls " + spec.name() + ": " + e.getMessage());
            return Sls.USAGE;
        }
    }

    /** A command that can also run without a directory runs that way here; null: it needs one. */
    Integer withoutDirectory() {
        return null;
    }

    /** Runs the command over the opened store; returns the exit code. */
    abstract int run(OpenStore open) throws UsageError;

    /** The store does not open because of damage: {@code verify} reports it; the others refuse (3). */
    int corrupt(StoreCorruptedException e) {
        err().println("sls " + spec.name() + ": the store does not open: " + e.getMessage()
                + " (sls verify " + directory + " lists every damaged record)");
        return Sls.CANNOT_OPEN;
    }

    /** The checkpoint {@code at}, or the newest if null. */
    static StoredCheckpoint checkpoint(OpenStore open, Long at) throws UsageError {
        if (at == null) {
            return open.store.lastDurable().orElseThrow(() -> new UsageError(open.directory + " holds no checkpoint"));
        }
        for (StoredCheckpoint c : open.store.checkpoints()) {
            if (c.id() == at) {
                return c;
            }
        }
        throw new UsageError(open.directory + " holds no checkpoint " + at + " (retained: "
                + open.store.checkpoints().stream().map(c -> Long.toString(c.id())).toList() + ")");
    }

    /** An argument names something the store does not hold: exit {@link Sls#USAGE}. */
    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }
}
