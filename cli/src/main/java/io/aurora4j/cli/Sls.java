package io.aurora4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code sls}: Aurora's command line for a store directory, offline — {@code ls}, {@code describe}, {@code verify},
 * {@code dump}, {@code diff}, {@code send}, {@code bisect} read the directory through the store's own recovery
 * without changing a byte of it; {@code recv} writes an image into a directory (all or nothing) and
 * {@code compact} drops old history (after asking). Every command refuses (exit {@link #CANNOT_OPEN}) a directory
 * a live store holds. {@code --json} prints one JSON document
 * for machines; {@code --help} on any command shows its usage.
 *
 * <p>Exit codes: {@link #OK} 0, {@link #PROBLEM} 1 (the check found a problem: {@code verify} found damage),
 * {@link #USAGE} 2 (bad arguments, including a checkpoint or object the store does not hold), {@link #CANNOT_OPEN}
 * 3 (the store cannot be opened: no such directory, not a store, held by a live process, damaged so that it does
 * not open, or unreadable).
 *
 * <p>Each invocation is independent; {@link #commandLine()} returns a new, unshared parser.
 */
@Command(name = "sls", mixinStandardHelpOptions = true, versionProvider = Sls.Version.class,
        description = "Offline commands over an Aurora4j store directory (only recv and compact change a "
                + "directory, compact after asking; every one refuses a directory a live store holds) and online "
                + "commands against running JVMs (ps, status, checkpoint, barrier, history, rollback; through the "
                + "Attach API and JMX).",
        subcommands = {LsCommand.class, DescribeCommand.class, VerifyCommand.class, DumpCommand.class,
                DiffCommand.class, SendCommand.class, RecvCommand.class, CompactCommand.class, BisectCommand.class,
                PsCommand.class, StatusCommand.class, CheckpointCommand.class, BarrierCommand.class,
                HistoryCommand.class, RollbackCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:the check found a problem (verify: damage; recv: a damaged image; bisect: "
                + "a checkpoint breaks the predicate; compact: not confirmed) or an online operation failed or was not confirmed",
                "2:usage error (bad option, no such checkpoint, object or group)",
                "3:the store cannot be opened (missing, not a store, held by a live process, unreadable) or the JVM cannot be attached to"})
public final class Sls implements Callable<Integer> {
    /** Exit code: done, nothing wrong. */
    public static final int OK = 0;
    /** Exit code: the command ran and found a problem ({@code verify}: damage). */
    public static final int PROBLEM = 1;
    /** Exit code: bad arguments, or a checkpoint or object the store does not hold. */
    public static final int USAGE = 2;
    /** Exit code: the store cannot be opened, or a live process holds it. */
    public static final int CANNOT_OPEN = 3;

    @Spec
    CommandSpec spec;

    /** Where {@code recv} reads an image and {@code compact} its confirmation when no file is given. */
    final java.io.InputStream stdin;
    /** Where {@code send} writes an image when no file is given: the bytes, unencoded. */
    final java.io.OutputStream stdout;

    Sls(java.io.InputStream stdin, java.io.OutputStream stdout) {
        this.stdin = stdin;
        this.stdout = stdout;
    }

    /** Runs {@code sls ARGS} and exits the JVM with its exit code. */
    public static void main(String... args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * A new parser for {@code sls}: {@code commandLine().execute(args)} runs one command and returns its exit
     * code; {@code setOut}/{@code setErr} redirect its output.
     */
    public static CommandLine commandLine() {
        return commandLine(System.in, System.out);
    }

    /** A parser whose binary input ({@code recv}, {@code compact}'s question) and output ({@code send}) are these. */
    static CommandLine commandLine(java.io.InputStream stdin, java.io.OutputStream stdout) {
        CommandLine cl = new CommandLine(new Sls(stdin, stdout));
        // an unexpected exception while reading the store means it could not be read (3), not "a problem found" (1)
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            line.getErr().println("sls: cannot read the store: " + e);
            return CANNOT_OPEN;
        });
        return cl;
    }

    /** {@code sls} alone: the usage, and a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Sls.class.getPackage().getImplementationVersion();
            return new String[] {"sls (Aurora4j) " + (v == null ? "development build" : v)};
        }
    }
}
