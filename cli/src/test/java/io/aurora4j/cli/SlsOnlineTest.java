package io.aurora4j.cli;

import io.aurora4j.cli.SlsRunner.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.aurora4j.cli.SlsRunner.sls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The online commands against a real running JVM: a child process ({@link OnlineTarget}) with two groups open, reached
 * through the Attach API and JMX. The child is destroyed after the class, whatever happens.
 */
@Timeout(120)
class SlsOnlineTest {
    @TempDir
    static Path tmp;
    static Process child;
    static BufferedReader childOut;
    static Writer childIn;
    static long pid;

    @BeforeAll
    static void startTarget() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        child = new ProcessBuilder(java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), OnlineTarget.class.getName(), tmp.resolve("store").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        childIn = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        assertEquals("READY", childOut.readLine());
        pid = child.pid();
    }

    @AfterAll
    static void stopTarget() throws Exception {
        if (child != null) {
            child.getOutputStream().close(); // end of input: the child closes its groups and exits
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static String ask(String line) throws Exception {
        childIn.write(line + "\n");
        childIn.flush();
        return childOut.readLine();
    }

    @Test
    @SuppressWarnings("unchecked")
    void psListsTheChildAndItsGroups() {
        Run r = sls("ps", "--json");
        assertEquals(0, r.code(), r.err());
        List<Object> jvms = (List<Object>) r.json().get("jvms");
        Map<String, Object> ours = jvms.stream().map(j -> (Map<String, Object>) j)
                .filter(j -> ((Number) j.get("pid")).longValue() == pid).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        List<Object> groups = (List<Object>) ours.get("groups");
        assertEquals(2, groups.size(), r.out());
        Map<String, Object> online = (Map<String, Object>) groups.stream()
                .filter(g -> "online".equals(((Map<String, Object>) g).get("name"))).findFirst().orElseThrow();
        assertEquals(true, online.get("durable"));
        assertEquals(1L, ((Number) online.get("objects")).longValue());
        Run text = sls("ps");
        assertEquals(0, text.code());
        assertTrue(text.out().contains(Long.toString(pid)) && text.out().contains("online"), text.out());
    }

    @Test
    void statusNeedsAGroupNameWhenThereAreSeveralAndRefusesAnUnknownOne() {
        Run several = sls("status", "--pid", pid);
        assertEquals(Sls.USAGE, several.code());
        assertTrue(several.err().contains("--group") && several.err().contains("online") && several.err().contains("second"),
                several.err());
        Run unknown = sls("status", "--pid", pid, "--group", "nope");
        assertEquals(Sls.USAGE, unknown.code());
        Run status = sls("status", "--pid", pid, "--group", "online", "--json");
        assertEquals(0, status.code(), status.err());
        assertTrue(((Number) status.json().get("commits")).longValue() >= 1, status.out());
        assertEquals("online", status.json().get("group"));
    }

    @Test
    void checkpointHistoryBarrierAndAConfirmedRollbackChangeTheRunningGroup() throws Exception {
        Run cp = sls("checkpoint", "--pid", pid, "--group", "online", "--label", "before-99", "--json");
        assertEquals(0, cp.code(), cp.err());
        long id = ((Number) cp.json().get("checkpoint")).longValue();
        assertEquals("SET", ask("set"));
        assertEquals("99", ask("get"));

        Run history = sls("history", "--pid", pid, "--group", "online");
        assertEquals(0, history.code(), history.err());
        assertTrue(history.out().contains("before-99"), history.out());

        Run barrier = sls("barrier", "--pid", pid, "--group", "online", "--json");
        assertEquals(0, barrier.code(), barrier.err());
        assertTrue(((Number) barrier.json().get("durableCheckpoint")).longValue() > id);

        RollbackCommand.confirmations = new ByteArrayInputStream("no\n".getBytes(StandardCharsets.UTF_8));
        Run refused = sls("rollback", "--pid", pid, "--group", "online", "--to", id);
        assertEquals(Sls.PROBLEM, refused.code());
        assertEquals("99", ask("get"), "an unconfirmed rollback changes nothing");

        RollbackCommand.confirmations = new ByteArrayInputStream("yes\n".getBytes(StandardCharsets.UTF_8));
        Run rolled = sls("rollback", "--pid", pid, "--group", "online", "--to", id);
        assertEquals(0, rolled.code(), rolled.err());
        assertEquals("41", ask("get"));

        Run missing = sls("rollback", "--pid", pid, "--group", "online", "--to", 999_999, "--yes");
        assertEquals(Sls.USAGE, missing.code(), missing.err());
        assertTrue(missing.err().contains("999999"), missing.err());
    }

    @Test
    void sendFromTheRunningGroupWritesAnImageThatRecvTakes() throws Exception {
        Run cp = sls("checkpoint", "--pid", pid, "--group", "online", "--json");
        assertEquals(0, cp.code(), cp.err());
        long id = ((Number) cp.json().get("checkpoint")).longValue();
        Path image = tmp.resolve("live-" + id + ".img");
        Run sent = sls("send", "--pid", pid, "--group", "online", "--checkpoint", id, "-o", image, "--json");
        assertEquals(0, sent.code(), sent.err());
        assertEquals(java.nio.file.Files.size(image), ((Number) sent.json().get("bytes")).longValue());
        Run again = sls("send", "--pid", pid, "--group", "online", "--checkpoint", id, "-o", image);
        assertEquals(Sls.USAGE, again.code(), "an existing file is never overwritten: " + again.err());
        Run noFile = sls("send", "--pid", pid, "--group", "online", "--checkpoint", id);
        assertEquals(Sls.USAGE, noFile.code());
        Run unknown = sls("send", "--pid", pid, "--group", "online", "--checkpoint", 999_999, "-o", tmp.resolve("x.img"));
        assertEquals(Sls.USAGE, unknown.code(), unknown.err());

        Path copy = tmp.resolve("received-" + id);
        Run recv = sls("recv", copy, "-i", image);
        assertEquals(0, recv.code(), recv.err());
        Run dump = sls("dump", copy, "counter", "--json");
        assertEquals(0, dump.code(), dump.err());
        assertTrue(((Number) dump.json().get("value")).longValue() >= 41, dump.out());
    }

    @Test
    void aCommandThatNeedsADirectoryRefusesToRunWithoutOne() {
        Run r = sls("ls");
        assertEquals(Sls.USAGE, r.code());
        assertTrue(r.err().contains("DIR"), r.err());
    }

    @Test
    void aPidThatIsNoJvmCannotBeAttached() {
        Run r = sls("status", "--pid", Long.MAX_VALUE);
        assertEquals(Sls.CANNOT_OPEN, r.code());
        assertTrue(r.err().contains(Long.toString(Long.MAX_VALUE)), r.err());
    }
}
