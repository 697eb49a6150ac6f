package io.aurora4j.examples;

import io.aurora4j.examples.booking.DelayProxy;
import io.aurora4j.examples.booking.LocalRedis;
import io.aurora4j.examples.booking.SeatBooking;
import io.aurora4j.txn.Group;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A speculative client of a real Redis server (started from the {@code embedded-redis} jar), reached with
 * the Lettuce async client through a loopback proxy that adds a round-trip delay. Books seats with a chain
 * of dependent steps (reserve with {@code SETNX}, charge, confirm): speculatively, conservatively, and
 * speculatively against an injected conflict — another client takes the seat first, the prediction fails,
 * the group rolls back, none of the failed branch's mails leaves, and the handler books another seat.
 *
 * <pre>
 * ./build mvn -q -DskipTests -Pbooking -pl examples -am package      # -Dbooking.delayMs=5 -Dbooking.steps=3
 * </pre>
 */
public final class SpeculativeBooking {
    private SpeculativeBooking() {
    }

    public static void main(String[] args) throws Exception {
        long delayMs = Long.getLong("booking.delayMs", 5);
        int steps = Integer.getInteger("booking.steps", 3);
        List<String> mailbox = new CopyOnWriteArrayList<>();
        try (LocalRedis server = LocalRedis.start();
             DelayProxy proxy = new DelayProxy(server.address(), TimeUnit.MILLISECONDS.toNanos(delayMs));
             Group group = Group.inMemory("booking")) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.port()));
            RedisClient direct = RedisClient.create(RedisURI.create("127.0.0.1", server.address().getPort()));
            try (StatefulRedisConnection<String, String> conn = client.connect();
                 StatefulRedisConnection<String, String> rivalConn = direct.connect()) {
                System.out.println("Redis: " + server.description + "; proxy adds " + delayMs + " ms per round trip; "
                        + steps + " dependent steps per booking");
                SeatBooking booking = new SeatBooking(group, conn.async(), m -> mailbox.add(m), steps);
                RedisCommands<String, String> rival = rivalConn.sync();
                for (int i = 0; i < 20; i++) { // warm the JIT, the connection and the server's script cache up
                    booking.speculative("warm-up", List.of("w" + i));
                    booking.conservative("warm-up", List.of("v" + i));
                }
                booking.mailFlushed().get(10, TimeUnit.SECONDS);
                mailbox.clear();
                System.out.println("(after 20 warm-up bookings of each kind)");

                System.out.println("\n1. alice books 12A speculatively (the prediction holds)");
                SeatBooking.Result a = booking.speculative("alice", List.of("12A", "12B"));
                print(a);

                System.out.println("\n2. bob books 14A conservatively (waits for every reply)");
                SeatBooking.Result b = booking.conservative("bob", List.of("14A", "14B"));
                print(b);

                System.out.println("\n3. carol books 15A speculatively, but another client took 15A first (injected conflict)");
                rival.set("seat:15A", "mallory");
                SeatBooking.Result c = booking.speculative("carol", List.of("15A", "15B"));
                print(c);

                booking.mailFlushed().get(10, TimeUnit.SECONDS);
                System.out.println("\nMails that left the group (" + mailbox.size() + "):");
                mailbox.forEach(m -> System.out.println("  " + m));
                System.out.println("Server: seat:15A=" + rival.get("seat:15A") + ", seat:15B=" + rival.get("seat:15B")
                        + ", charge:carol=" + rival.get("charge:carol") + ", confirm:carol=" + rival.get("confirm:carol"));
                System.out.println("Group: 15A held by " + booking.holder("15A") + ", 15B by " + booking.holder("15B")
                        + ", charged " + booking.charged());
                double rtt = delayMs;
                System.out.printf("%nTime: speculative %.1f ms (%.1f round trips), conservative %.1f ms (%.1f round trips):"
                                + " speculation saved %.1f ms per booking when the prediction held;"
                                + " with the conflict it cost %.1f ms.%n",
                        ms(a.nanos()), ms(a.nanos()) / rtt, ms(b.nanos()), ms(b.nanos()) / rtt, ms(b.nanos() - a.nanos()), ms(c.nanos()));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                direct.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void print(SeatBooking.Result r) {
        r.log().forEach(System.out::println);
        System.out.printf("  -> %s has seat %s (%s) in %.1f ms%n", r.customer(), r.seat(),
                r.predictionHeld() ? "prediction held" : "conservative path", r.nanos() / 1e6);
    }
}
