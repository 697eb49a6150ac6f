package io.aurora4j.examples.surface;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Agrona 2 (a region's pages) reaches {@code jdk.internal.misc.Unsafe}: a JVM started without
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} must fail at its first region with a message that
 * names that flag — when it creates a region and when it receives an image holding one — not with Agrona's bare
 * {@code IllegalAccessError}; and with the flag, the same program works. Each case runs in a child JVM on this
 * test's class path, since a JVM's exports are fixed when it starts.
 */
class AgronaFlagTest {
    static final String FLAG = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    /** The child: {@code create}, {@code send FILE} (an image of a group with a region) or {@code receive FILE}. */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "create" -> {
                try (Group g = Group.inMemory("flags")) {
                    g.newRegion("pages", 1 << 16).putLong(0, 42);
                }
            }
            case "send" -> {
                try (Group g = Group.inMemory("flags"); OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
                    Region r = g.newRegion("pages", 1 << 16);
                    r.putLong(0, 42);
                    g.send(g.checkpoint(), out);
                }
            }
            case "receive" -> {
                try (Group g = Group.receive(Files.newInputStream(Path.of(args[1])))) {
                    if (g.region("pages").getLong(0) != 42) {
                        throw new AssertionError("received the wrong page");
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("ok");
    }

    record Run(int exit, String output) {
    }

    static Run child(boolean withFlag, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (withFlag) {
            command.addAll(List.of(FLAG.split(" ")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AgronaFlagTest.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not end: " + command);
            return new Run(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void creatingARegionWithoutTheFlagNamesTheFlag() throws Exception {
        Run without = child(false, "create");
        assertEquals(1, without.exit(), without.output());
        assertTrue(without.output().contains("IllegalStateException: region 'pages'") && without.output().contains(FLAG),
                without.output());
        Run with = child(true, "create");
        assertEquals(0, with.exit(), with.output());
    }

    @Test
    void receivingARegionWithoutTheFlagNamesTheFlag(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("image");
        Run sent = child(true, "send", image.toString());
        assertEquals(0, sent.exit(), sent.output());
        Run without = child(false, "receive", image.toString());
        assertEquals(1, without.exit(), without.output());
        assertTrue(without.output().contains("region 'pages'") && without.output().contains(FLAG), without.output());
        String first = without.output().lines().filter(l -> l.startsWith("Exception in thread")).findFirst().orElse("");
        assertTrue(first.contains("IllegalStateException") && first.contains(FLAG),
                "the error the user sees first must name the flag, not be Agrona's IllegalAccessError:\n" + without.output());
        Run with = child(true, "receive", image.toString());
        assertEquals(0, with.exit(), with.output());
    }
}
