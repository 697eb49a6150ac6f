package io.aurora4j.examples.booking;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.speculation.Speculation;
import io.aurora4j.speculation.SpeculationRollback;
import io.aurora4j.speculation.SpeculationRolledBackException;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The booking workload of the speculative Redis example: a chain of dependent steps against a real Redis
 * server — reserve a seat with {@code SETNX} (predicted to succeed), then charge, then (for longer chains)
 * further steps, then confirm. Every step after the reservation is a Lua script that acts only if the seat is
 * still the customer's, so a step sent speculatively after a reservation that failed changes nothing on the
 * server: the speculative branch leaves nothing there, and nothing in the group (rolled back) or outside it
 * (its mails were held and are discarded).
 *
 * <p>{@link #speculative} issues every step at once, each under its own {@link Speculation} (a chain), goes
 * on with the predicted replies, and waits only for the last confirmation: about one round trip when the
 * predictions hold. {@link #conservative} waits for each reply before the next step: one round trip per step.
 *
 * <p>Thread-safe (each call uses its own futures; state lives in the group).
 */
public final class SeatBooking {
    /** Acts only if the seat (KEYS[1]) is the customer's (ARGV[1]): sets KEYS[2] to ARGV[2] and returns 1, else 0. */
    static final String IF_OURS = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) return 1 else return 0 end";
    private static final long PRICE = 30;

    private final Group group;
    private final RedisAsyncCommands<String, String> redis;
    private final int steps;
    private final TMap<String, String> seats;
    private final TLong charged;
    private final Boundary<String> mail;

    /** How one booking went. */
    public record Result(String customer, String seat, boolean predictionHeld, long nanos, List<String> log) {
    }

    /**
     * @param group the group holding the booking state (a map {@code seats}, a counter {@code charged}) and
     *              the {@code mail} boundary
     * @param redis an async client of the server (through the delay proxy)
     * @param mailbox where mails to customers go: an EXTERNAL boundary's sink
     * @param steps the length of the chain, at least 2 (reserve, ..., confirm)
     */
    public SeatBooking(Group group, RedisAsyncCommands<String, String> redis, Consumer<String> mailbox, int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("a booking has at least 2 steps (reserve, confirm), not " + steps);
        }
        this.group = group;
        this.redis = redis;
        this.steps = steps;
        this.seats = group.newMap("seats");
        this.charged = group.newLong("charged", 0);
        this.mail = Boundary.external(group, "mail", mailbox);
    }

    /** The group's view: who holds {@code seat} (null if nobody). */
    public String holder(String seat) {
        return seats.get(seat);
    }

    /** The group's total charged. */
    public long charged() {
        return charged.get();
    }

    /** Completes when every mail sent so far has been delivered or discarded. */
    public CompletableFuture<Void> mailFlushed() {
        return mail.flush();
    }

    private String stepName(int k) {
        return k == 1 ? "reserve" : k == 2 ? "charge" : k == steps ? "confirm" : "step-" + k;
    }

    @SuppressWarnings("unchecked")
    private CompletionStage<Object> send(int k, String customer, String seat) {
        if (k == 1) {
            return (CompletionStage<Object>) (CompletionStage<?>) redis.setnx("seat:" + seat, customer);
        }
        return (CompletionStage<Object>) (CompletionStage<?>) redis.eval(IF_OURS, ScriptOutputType.INTEGER,
                new String[] {"seat:" + seat, stepName(k) + ":" + customer}, customer, seat);
    }

    private static Object predicted(int k) {
        return k == 1 ? Boolean.TRUE : (Object) 1L;
    }

    private String command(int k, String customer, String seat) {
        return k == 1 ? "SETNX seat:" + seat + " " + customer : "EVAL if-ours " + stepName(k) + ":" + customer;
    }

    /** The group-side effect of step {@code k}: inside a transaction. */
    private void apply(int k, String customer, String seat) {
        if (k == 1) {
            seats.put(seat, customer);
            mail.send(customer + ": seat " + seat + " is reserved for you");
        } else if (k == 2) {
            charged.add(PRICE);
            mail.send(customer + ": we charged " + PRICE + " for seat " + seat);
        } else if (k == steps) {
            mail.send(customer + ": booking of seat " + seat + " confirmed");
        }
    }

    /**
     * Books the first of {@code candidates} speculatively; if a prediction fails, the group rolls back and the
     * rollback handler has the remaining candidates booked conservatively.
     */
    public Result speculative(String customer, List<String> candidates) throws Exception {
        long t0 = System.nanoTime();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        String seat = candidates.get(0);
        CompletableFuture<SpeculationRollback> rolledBack = new CompletableFuture<>();
        List<Speculation> begun = new ArrayList<>();
        Speculation first = Speculation.begin(group);
        first.onRollback(rolledBack::complete); // the conservative path starts when this completes
        Speculation last = first;
        for (int k = 1; k <= steps; k++) {
            Speculation s = k == 1 ? first : Speculation.begin(group);
            begun.add(s);
            int step = k;
            Object expect = predicted(k);
            CompletionStage<Object> reply = send(k, customer, seat).whenComplete((v, e) -> log.add(String.format(
                    "  step %d %-7s %-34s predicted %-5s got %-5s %s", step, stepName(step), command(step, customer, seat), expect,
                    e != null ? "error" : v, e == null && expect.equals(v) ? "ok" : "MISPREDICTED")));
            s.confirmWhen(reply, expect::equals);
            last = s;
            try {
                s.atomic(() -> apply(step, customer, seat)); // go on as if the reply were the predicted one
            } catch (SpeculationRolledBackException e) {
                break; // a prediction already failed: stop issuing steps
            }
        }
        CompletableFuture<Speculation.State> lastOutcome = last.outcome();
        CompletableFuture.anyOf(lastOutcome, rolledBack).get(30, TimeUnit.SECONDS);
        if (!rolledBack.isDone() && lastOutcome.getNow(null) == Speculation.State.CONFIRMED) {
            return new Result(customer, seat, true, System.nanoTime() - t0, List.copyOf(log));
        }
        SpeculationRollback r = rolledBack.get(30, TimeUnit.SECONDS);
        for (Speculation s : begun) { // every step sent speculatively has settled before we go on
            s.outcome().get(30, TimeUnit.SECONDS);
        }
        log.add("  rollback handler: " + r.cause().getMessage());
        log.add("  group rolled back to " + r.checkpoint() + "; " + r.discardedOutputs() + " held mail(s) discarded;"
                + " booking another seat conservatively");
        Result c = conservative(customer, candidates.subList(1, candidates.size()), log, t0);
        return new Result(customer, c.seat(), false, System.nanoTime() - t0, List.copyOf(log));
    }

    /** Books the first free seat of {@code candidates}, waiting for each reply before the next step. */
    public Result conservative(String customer, List<String> candidates) throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        Result r = conservative(customer, candidates, log, t0);
        return new Result(customer, r.seat(), false, System.nanoTime() - t0, List.copyOf(log));
    }

    private Result conservative(String customer, List<String> candidates, List<String> log, long t0)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (String seat : candidates) {
            boolean booked = true;
            for (int k = 1; k <= steps; k++) {
                Object v = send(k, customer, seat).toCompletableFuture().get(30, TimeUnit.SECONDS);
                log.add(String.format("  step %d %-7s %-34s waited, got %s", k, stepName(k), command(k, customer, seat), v));
                if (!predicted(k).equals(v)) {
                    booked = false;
                    break;
                }
                int step = k;
                group.atomic(() -> apply(step, customer, seat));
            }
            if (booked) {
                return new Result(customer, seat, false, System.nanoTime() - t0, log);
            }
        }
        throw new IllegalStateException("no free seat for " + customer + " among " + candidates);
    }
}
