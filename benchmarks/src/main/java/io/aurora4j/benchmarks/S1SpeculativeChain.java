package io.aurora4j.benchmarks;

import io.aurora4j.examples.booking.DelayProxy;
import io.aurora4j.examples.booking.LocalRedis;
import io.aurora4j.examples.booking.SeatBooking;
import io.aurora4j.speculation.Speculation;
import io.aurora4j.txn.Group;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Speculation against a real Redis server (the {@code examples} booking workload): a chain of 8 dependent
 * calls (reserve with {@code SETNX}, charge, 5 more steps, confirm) through a loopback proxy that adds 1 ms
 * per round trip, with 0%, 10%, 50% and 100% mispredictions (another client took the seat first; the
 * booking then takes the second seat), in three modes:
 * <ul>
 *   <li>{@code conservative} — wait for each reply before the next step (the baseline: 8 round trips, 9
 *       when the first seat is taken);</li>
 *   <li>{@code speculative} — every step sent at once under a chain of {@link Speculation}s; on a
 *       misprediction the group rolls back and the second seat is booked conservatively;</li>
 *   <li>{@code breaker} — as {@code speculative}, behind a Resilience4j circuit breaker over the misprediction
 *       rate (50% over the last 10 bookings, 5 to start; 1 s open, then 2 probes): when it is open the
 *       booking goes straight to the conservative path.</li>
 * </ul>
 * Average time per booking, ms. {@code beginConfirm} is the cost of {@code Speculation.begin} +
 * {@code confirm} with nothing held (µs).
 *
 * <p>Run: {@code ./build bench -f 1 'S1SpeculativeChain'}
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class S1SpeculativeChain {

    /** The booking chain against Redis. */
    @State(Scope.Benchmark)
    public static class Chain {
        @Param({"0", "10", "50", "100"})
        public int mispredictPercent;

        @Param({"conservative", "speculative", "breaker"})
        public String mode;

        LocalRedis server;
        DelayProxy proxy;
        RedisClient client;
        RedisClient direct;
        StatefulRedisConnection<String, String> conn;
        StatefulRedisConnection<String, String> rivalConn;
        RedisCommands<String, String> rival;
        Group group;
        SeatBooking booking;
        CircuitBreaker breaker;
        long n;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            server = LocalRedis.start();
            proxy = new DelayProxy(server.address(), TimeUnit.MILLISECONDS.toNanos(1));
            client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.port()));
            direct = RedisClient.create(RedisURI.create("127.0.0.1", server.address().getPort()));
            conn = client.connect();
            rivalConn = direct.connect();
            rival = rivalConn.sync();
            // Retain enough checkpoints for a chain of 8 plus the ones a rolled-back chain leaves behind.
            group = Group.builder("bench").retainCheckpoints(1024).open();
            booking = new SeatBooking(group, conn.async(), m -> { }, 8);
            breaker = CircuitBreaker.of("bench", CircuitBreakerConfig.custom().slidingWindowSize(10).minimumNumberOfCalls(5)
                    .failureRateThreshold(50).waitDurationInOpenState(Duration.ofSeconds(1))
                    .permittedNumberOfCallsInHalfOpenState(2).build());
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            conn.close();
            rivalConn.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            direct.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            group.close();
            proxy.close();
            server.close();
        }

        /** Whether booking number {@code i} meets a conflict: evenly spread, {@code mispredictPercent} of them. */
        boolean conflict(long i) {
            return (i * mispredictPercent) / 100 != ((i + 1) * mispredictPercent) / 100;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public SeatBooking.Result chainOf8(Chain c) throws Exception {
        long i = c.n++;
        String first = "a" + i;
        if (c.conflict(i)) {
            c.rival.set("seat:" + first, "rival"); // direct, not through the proxy: not part of the timed path's RTTs
        }
        List<String> seats = List.of(first, "b" + i);
        String who = "c" + i;
        switch (c.mode) {
            case "conservative":
                return c.booking.conservative(who, seats);
            case "speculative":
                return c.booking.speculative(who, seats);
            default:
                if (!c.breaker.tryAcquirePermission()) {
                    return c.booking.conservative(who, seats);
                }
                long t0 = System.nanoTime();
                SeatBooking.Result r = c.booking.speculative(who, seats);
                if (r.predictionHeld()) {
                    c.breaker.onSuccess(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                } else {
                    c.breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, new IllegalStateException("mispredicted"));
                }
                return r;
        }
    }

    /** A group with nothing held: the cost of a speculation that is confirmed at once. */
    @State(Scope.Thread)
    public static class Empty {
        Group group;

        @Setup(Level.Trial)
        public void setUp() {
            group = Group.inMemory("begin-confirm");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean beginConfirm(Empty e) {
        return Speculation.begin(e.group).confirm();
    }
}
