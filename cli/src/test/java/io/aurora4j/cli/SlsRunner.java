package io.aurora4j.cli;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one {@code sls} command in-process, the one way every cli test does: a fresh parser, its text output and
 * error captured, its binary input given (empty unless a test passes bytes) and its binary output captured, so no
 * test reads this JVM's stdin or writes an image to its stdout. Each call is independent; nothing is shared.
 */
final class SlsRunner {
    private SlsRunner() {
    }

    /** One command's exit code, text output, text error and binary output ({@code send}'s image). */
    record Run(int code, String out, String err, byte[] stdout) {
        /** The text output parsed as a JSON object ({@code --json}). */
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) JsonParser.parse(out.strip());
        }
    }

    /** {@code sls ARGS} (each argument as {@link String#valueOf}) with {@code stdin} as its binary input. */
    static Run sls(byte[] stdin, Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        CommandLine cl = Sls.commandLine(new ByteArrayInputStream(stdin), binary);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(Stream.of(args).map(String::valueOf).toArray(String[]::new));
        return new Run(code, out.toString(), err.toString(), binary.toByteArray());
    }

    /** {@code sls ARGS} with an empty binary input. */
    static Run sls(Object... args) {
        return sls(new byte[0], args);
    }
}
