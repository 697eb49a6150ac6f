package io.aurora4j.cli;

import io.aurora4j.txn.GroupMXBean;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * What the online commands share: {@code --pid}, {@code --group}, {@code --json}, attaching to the JVM, finding the
 * group's {@link GroupMXBean} and the exit codes ({@link Sls#CANNOT_OPEN} when the JVM cannot be reached,
 * {@link Sls#USAGE} for a group it does not have, {@link Sls#PROBLEM} when the operation failed in the JVM).
 * Not thread-safe.
 */
abstract class OnlineCommand implements Callable<Integer> {
    @Option(names = "--pid", required = true, description = "the process id of the running JVM (see sls ps)")
    long pid;

    @Option(names = "--group", paramLabel = "NAME", description = "the group's name; may be left out when the JVM has one group")
    String group;

    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public final Integer call() {
        try (AttachedJvm jvm = AttachedJvm.attach(pid)) {
            GroupMXBean bean;
            try {
                bean = jvm.group(group);
            } catch (IllegalArgumentException e) {
                err().println("sls " + spec.name() + ": " + e.getMessage());
                return Sls.USAGE;
            }
            try {
                int code = run(bean);
                out().flush();
                return code;
            } catch (RuntimeException e) {
                // an operation that failed inside the JVM arrives wrapped (UndeclaredThrowable, RuntimeMBeanException)
                Throwable cause = e;
                while (cause.getCause() != null && !(cause instanceof IllegalStateException) && !(cause instanceof IllegalArgumentException)) {
                    cause = cause.getCause();
                }
                err().println("sls " + spec.name() + ": group '" + bean.getName() + "' in JVM " + pid + ": " + cause.getMessage());
                return cause instanceof IllegalArgumentException ? Sls.USAGE : Sls.PROBLEM;
            }
        } catch (IOException e) {
            err().println("sls " + spec.name() + ": " + e.getMessage());
            return Sls.CANNOT_OPEN;
        }
    }

    /** Runs the command on the group's bean; returns the exit code. */
    abstract int run(GroupMXBean bean);
}
