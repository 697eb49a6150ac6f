package io.aurora4j.examples;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A multi-step order workflow whose steps talk to the outside world through boundaries: reserve stock (a
 * message to the warehouse), charge the customer (a message to the payment provider), ship (a message to
 * the carrier and a mail to the customer). The three steps run in one transaction, each as a nested one.
 * The first order goes through and every message leaves after the commit. The second order fails in the
 * last step (the carrier refuses the parcel): the whole transaction rolls back, stock and balance are as
 * they were, and not one of the messages the first two steps sent leaves the group. A trace boundary in
 * IMMEDIATE mode ({@code sls_fdctl} off) shows the other choice: its lines pass through even for the
 * failed order.
 *
 * <p>Run: {@code ./build mvn -q -DskipTests -Porders -pl examples -am package}
 */
public final class OrderWorkflow {

    /** The outside world: what each external party received, in order. */
    private final List<String> warehouse = new CopyOnWriteArrayList<>();
    private final List<String> payments = new CopyOnWriteArrayList<>();
    private final List<String> carrier = new CopyOnWriteArrayList<>();
    private final List<String> mailbox = new CopyOnWriteArrayList<>();
    /** What the steps asked to send (the last attempt of each step): to print what did and did not leave. */
    private final List<String> attempted = new CopyOnWriteArrayList<>();

    private final Group shop;
    private final TLong stock;
    private final TLong balance;
    private final TMap<String, String> orders;
    private final Boundary<String> toWarehouse;
    private final Boundary<String> toPayments;
    private final Boundary<String> toCarrier;
    private final Boundary<String> toCustomer;
    private final Boundary<String> trace;

    private OrderWorkflow(Group shop) {
        this.shop = shop;
        stock = shop.newLong("stock:widget", 5);
        balance = shop.newLong("balance:alice", 100);
        orders = shop.newMap("orders");
        toWarehouse = Boundary.external(shop, "warehouse", warehouse::add);
        toPayments = Boundary.external(shop, "payments", payments::add);
        toCarrier = Boundary.external(shop, "carrier", carrier::add);
        toCustomer = Boundary.external(shop, "customer-mail", mailbox::add);
        trace = Boundary.immediate(shop, "trace", line -> System.out.println("   [trace, IMMEDIATE] " + line));
    }

    public static void main(String[] args) throws Exception {
        try (Group shop = Group.inMemory("shop")) {
            new OrderWorkflow(shop).run();
        }
    }

    private void run() throws Exception {
        say("Group 'shop': 5 widgets in stock, alice has 100. Boundaries: warehouse, payments, carrier,"
                + " customer-mail (EXTERNAL: held until commit) and trace (IMMEDIATE: passes through).");

        say("\n1. order-1: 2 widgets at 30 each, carrier available.");
        placeOrder("order-1", 2, 30, true);
        report("order-1");

        say("\n2. order-2: 1 widget at 30, the carrier refuses the parcel in the last step.");
        try {
            placeOrder("order-2", 1, 30, false);
        } catch (IllegalStateException e) {
            say("   order-2 failed: " + e.getMessage() + " -> the whole transaction rolled back");
        }
        report("order-2");
        say("\nState after both orders: stock " + stock.get() + ", alice's balance " + balance.get() + ", orders "
                + orders.snapshot() + " (order-2 left no trace)");
        Boundary.Stats s = toWarehouse.stats();
        say("Warehouse boundary: " + s.delivered() + " delivered, " + s.pending() + " pending, " + s.discarded()
                + " discarded by rollbacks.");
    }

    /** The workflow: three steps in one transaction, each a nested transaction that sends its messages. */
    private void placeOrder(String order, int quantity, long price, boolean carrierAccepts) {
        attempted.removeIf(m -> m.contains(order));
        shop.atomic(() -> {
            attempted.removeIf(m -> m.contains(order)); // a re-run attempt sends again: keep the last attempt's
            shop.atomic(() -> { // step 1: reserve stock
                if (stock.get() < quantity) {
                    throw new IllegalStateException("out of stock");
                }
                stock.add(-quantity);
                send(toWarehouse, "reserve " + quantity + " widget(s) for " + order);
                trace.send(order + ": stock reserved");
            });
            shop.atomic(() -> { // step 2: charge
                long total = quantity * price;
                if (balance.get() < total) {
                    throw new IllegalStateException("insufficient funds");
                }
                balance.add(-total);
                send(toPayments, "charge alice " + total + " for " + order);
                trace.send(order + ": alice charged");
            });
            shop.atomic(() -> { // step 3: ship
                orders.put(order, "shipped");
                send(toCarrier, "pick up " + order + " at the warehouse");
                send(toCustomer, "dear alice, " + order + " is on its way");
                if (!carrierAccepts) {
                    trace.send(order + ": carrier refused");
                    throw new IllegalStateException("the carrier refused " + order);
                }
            });
        });
    }

    private void send(Boundary<String> b, String message) {
        attempted.add(b.id() + ": " + message);
        b.send(message);
    }

    private void report(String order) throws Exception {
        for (Boundary<String> b : List.of(toWarehouse, toPayments, toCarrier, toCustomer, trace)) {
            b.flush().get(10, TimeUnit.SECONDS); // everything released so far has reached its sink
        }
        List<String> sent = new ArrayList<>();
        List<String> notSent = new ArrayList<>();
        for (String a : attempted) {
            if (!a.contains(order)) {
                continue;
            }
            String message = a.substring(a.indexOf(": ") + 2);
            boolean out = warehouse.contains(message) || payments.contains(message) || carrier.contains(message)
                    || mailbox.contains(message);
            (out ? sent : notSent).add(a);
        }
        say("   sent     (" + sent.size() + "): " + sent);
        say("   NOT sent (" + notSent.size() + "): " + notSent);
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
