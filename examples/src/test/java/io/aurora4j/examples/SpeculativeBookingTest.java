package io.aurora4j.examples;

import io.aurora4j.examples.booking.DelayProxy;
import io.aurora4j.examples.booking.LocalRedis;
import io.aurora4j.examples.booking.SeatBooking;
import io.aurora4j.txn.Group;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The speculative Redis example against a real server: predictions that hold keep their effects and mails;
 * an injected conflict rolls the group back, no mail of the failed branch leaves, the server keeps nothing
 * of it, and the handler books another seat. Skipped (with the reason) only if no Redis server can start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpeculativeBookingTest {
    private static LocalRedis server;
    private static String whyNot;

    @BeforeAll
    static void startRedis() {
        try {
            server = LocalRedis.start();
        } catch (IOException e) {
            whyNot = e.getMessage();
        }
    }

    @AfterAll
    static void stopRedis() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static void requireRedis() {
        assumeTrue(server != null, () -> "no Redis server could be started, so the Redis example is not tested: " + whyNot
                + " (install one with 'apt-get install -y redis-server')");
    }

    @Test
    void predictionsThatHoldAndAnInjectedConflict() throws Exception {
        requireRedis();
        List<String> mailbox = new CopyOnWriteArrayList<>();
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", server.address().getPort()));
        try (DelayProxy proxy = new DelayProxy(server.address(), TimeUnit.MILLISECONDS.toNanos(1));
             Group group = Group.inMemory("booking-test")) {
            RedisClient viaProxy = RedisClient.create(RedisURI.create("127.0.0.1", proxy.port()));
            try (StatefulRedisConnection<String, String> conn = viaProxy.connect();
                 StatefulRedisConnection<String, String> rivalConn = client.connect()) {
                RedisCommands<String, String> rival = rivalConn.sync();
                SeatBooking booking = new SeatBooking(group, conn.async(), mailbox::add, 4);

                SeatBooking.Result ok = booking.speculative("alice", List.of("1A", "1B"));
                assertTrue(ok.predictionHeld());
                assertEquals("1A", ok.seat());
                assertEquals("alice", booking.holder("1A"));
                assertEquals("1A", rival.get("confirm:alice"));

                rival.set("seat:2A", "mallory"); // the injected conflict
                SeatBooking.Result conflict = booking.speculative("carol", List.of("2A", "2B"));
                assertFalse(conflict.predictionHeld());
                assertEquals("2B", conflict.seat(), "the handler booked another seat");
                assertTrue(conflict.log().stream().anyMatch(l -> l.contains("MISPREDICTED")), conflict.log().toString());
                assertNull(booking.holder("2A"), "the group rolled back the speculative reservation");
                assertEquals("carol", booking.holder("2B"));
                assertEquals(60, booking.charged(), "alice and carol charged once each");
                assertEquals("mallory", rival.get("seat:2A"));
                assertEquals("2B", rival.get("charge:carol"), "the server kept nothing of the failed branch");

                booking.mailFlushed().get(10, TimeUnit.SECONDS);
                assertTrue(mailbox.stream().noneMatch(m -> m.contains("2A")), "no mail of the failed branch left: " + mailbox);
                assertEquals(List.of("alice: seat 1A is reserved for you", "alice: we charged 30 for seat 1A",
                        "alice: booking of seat 1A confirmed", "carol: seat 2B is reserved for you",
                        "carol: we charged 30 for seat 2B", "carol: booking of seat 2B confirmed"), mailbox);
            } finally {
                viaProxy.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void theExampleRunsAndPrintsEachStep() throws Exception {
        requireRedis();
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            SpeculativeBooking.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("predicted true  got false MISPREDICTED"), out);
        assertTrue(out.contains("-> carol has seat 15B (conservative path)"), out);
        assertTrue(out.contains("-> alice has seat 12A (prediction held)"), out);
        assertFalse(out.contains("carol: seat 15A"), out);
        assertTrue(out.contains("Time: speculative"), out);
    }
}
