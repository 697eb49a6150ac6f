package io.aurora4j.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the order workflow example and checks that the failed order sent nothing through EXTERNAL boundaries. */
class OrderWorkflowTest {

    @Test
    void theFailedOrderSendsNoMessageAndLeavesNoState() {
        String out = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> capture(() -> OrderWorkflow.main(new String[0])));
        assertTrue(out.contains("1. order-1") && out.contains("   sent     (4): [warehouse: reserve 2 widget(s) for order-1,"
                + " payments: charge alice 60 for order-1, carrier: pick up order-1 at the warehouse,"
                + " customer-mail: dear alice, order-1 is on its way]\n   NOT sent (0): []"), out);
        assertTrue(out.contains("order-2 failed: the carrier refused order-2 -> the whole transaction rolled back"), out);
        assertTrue(out.contains("   sent     (0): []\n   NOT sent (4): [warehouse: reserve 1 widget(s) for order-2,"
                + " payments: charge alice 30 for order-2, carrier: pick up order-2 at the warehouse,"
                + " customer-mail: dear alice, order-2 is on its way]"), out);
        assertTrue(out.contains("[trace, IMMEDIATE] order-2: carrier refused"), out);
        assertTrue(out.contains("State after both orders: stock 3, alice's balance 40, orders {order-1=shipped}"), out);
        assertTrue(out.contains("Warehouse boundary: 1 delivered, 0 pending, 0 discarded by rollbacks."), out);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static String capture(Body body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
