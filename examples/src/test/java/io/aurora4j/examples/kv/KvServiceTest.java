package io.aurora4j.examples.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key-value service's protocol, in process, and a clean restart on the same directory. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvServiceTest {

    @Test
    void theProtocolAnswersEveryCommandInOrder(@TempDir Path dir) throws Exception {
        try (KvService kv = KvService.start(dir, 0);
             KvConnection c = new KvConnection(kv.port())) {
            assertFalse(kv.recovered());
            assertEquals("OK hello world", c.call("PUT greeting hello world"));
            assertEquals("VALUE hello world", c.call("GET greeting"));
            assertEquals("NIL", c.call("GET missing"));
            assertEquals("OK 1", c.call("INCR visits"));
            assertEquals("OK 2", c.call("incr visits"));
            assertTrue(c.call("INCR greeting").startsWith("ERR the value of greeting is not an integer"));
            assertEquals("OK 2", c.call("SIZE"));
            assertEquals("OK 1", c.call("DEL greeting"));
            assertEquals("OK 0", c.call("DEL greeting"));
            assertTrue(c.call("PUT onlykey").startsWith("ERR usage: PUT"));
            assertTrue(c.call("FLY away").startsWith("ERR unknown command FLY"));
            // Pipelined: replies come back in command order, whatever waits for what.
            c.send("PUT a 1");
            c.send("BOGUS");
            c.send("GET a");
            c.send("INCR visits");
            assertEquals("OK 1", c.readReply());
            assertTrue(c.readReply().startsWith("ERR unknown command BOGUS"));
            assertEquals("VALUE 1", c.readReply());
            assertEquals("OK 3", c.readReply());
            assertEquals("BYE", c.call("QUIT"));
            assertNull(c.readReply(), "the server closes the connection after BYE");
        }
    }

    @Test
    void aClientThatStopsSendingStillGetsEveryReply(@TempDir Path dir) throws Exception {
        try (KvService kv = KvService.start(dir, 0);
             KvConnection c = new KvConnection(kv.port())) {
            for (int i = 0; i < 20; i++) {
                c.send("INCR n");
            }
            c.shutdownOutput(); // like `nc -q` after its input ends: the server must not drop held replies
            for (int i = 1; i <= 20; i++) {
                assertEquals("OK " + i, c.readReply());
            }
            assertNull(c.readReply());
        }
    }

    @Test
    void everythingAcknowledgedIsThereAfterARestart(@TempDir Path dir) throws Exception {
        try (KvService kv = KvService.start(dir, 0);
             KvConnection c = new KvConnection(kv.port())) {
            for (int i = 0; i < 50; i++) {
                assertEquals("OK v" + i, c.call("PUT k" + i + " v" + i));
            }
            assertEquals("OK 1", c.call("INCR n"));
        }
        try (KvService kv = KvService.start(dir, 0);
             KvConnection c = new KvConnection(kv.port())) {
            assertTrue(kv.recovered());
            assertEquals(51, kv.size());
            for (int i = 0; i < 50; i++) {
                assertEquals("VALUE v" + i, c.call("GET k" + i));
            }
            assertEquals("OK 2", c.call("INCR n"));
        }
    }
}
