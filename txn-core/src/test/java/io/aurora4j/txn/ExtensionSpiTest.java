package io.aurora4j.txn;

import io.aurora4j.txn.spi.ExtensionKey;
import io.aurora4j.txn.spi.TxnSpi;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group's extension slot ({@link TxnSpi#extension}): one instance per group and key, created once, kept by
 * the group; a creator that fails leaves nothing behind; a creator may create another extension of the same
 * group, but not ask for its own. (Threads racing for one extension: model-checks' {@code GroupExtension*Test}.)
 */
class ExtensionSpiTest {
    private static final ExtensionKey<StringBuilder> KEY = ExtensionKey.named("test extension");
    private static final ExtensionKey<StringBuilder> OTHER = ExtensionKey.named("other test extension");

    @Test
    void oneInstancePerGroupAndKeyCreatedOnce() {
        try (Group a = Group.inMemory("a"); Group b = Group.inMemory("b")) {
            AtomicInteger created = new AtomicInteger();
            assertNull(TxnSpi.existingExtension(a, KEY));
            StringBuilder first = TxnSpi.extension(a, KEY, g -> {
                created.incrementAndGet();
                return new StringBuilder(g.name());
            });
            assertSame(first, TxnSpi.extension(a, KEY, g -> new StringBuilder("never")));
            assertSame(first, TxnSpi.existingExtension(a, KEY));
            assertEquals("a", first.toString());
            assertEquals(1, created.get());
            assertNotSame(first, TxnSpi.extension(b, KEY, g -> new StringBuilder(g.name())), "each group has its own");
            assertNull(TxnSpi.existingExtension(a, OTHER), "each key has its own");
        }
    }

    @Test
    void aCreatorThatThrowsLeavesTheSlotEmptyAndTheNextCallCreates() {
        try (Group g = Group.inMemory("failing-creator")) {
            assertThrows(IllegalStateException.class, () -> TxnSpi.extension(g, KEY, x -> {
                throw new IllegalStateException("refused");
            }));
            assertNull(TxnSpi.existingExtension(g, KEY));
            assertEquals("ok", TxnSpi.extension(g, KEY, x -> new StringBuilder("ok")).toString());
            assertThrows(NullPointerException.class, () -> TxnSpi.extension(g, OTHER, x -> null));
            assertNull(TxnSpi.existingExtension(g, OTHER));
        }
    }

    @Test
    void aCreatorMayCreateAnotherExtensionButNotAskForItsOwn() {
        try (Group g = Group.inMemory("nested")) {
            StringBuilder outer = TxnSpi.extension(g, KEY, x -> new StringBuilder("outer of ")
                    .append(TxnSpi.extension(x, OTHER, y -> new StringBuilder("inner"))));
            assertEquals("outer of inner", outer.toString());
            assertSame(TxnSpi.existingExtension(g, OTHER), TxnSpi.extension(g, OTHER, y -> new StringBuilder()));

            ExtensionKey<StringBuilder> selfish = ExtensionKey.named("selfish");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> TxnSpi.extension(g, selfish, x -> TxnSpi.extension(x, selfish, y -> new StringBuilder())));
            assertTrue(e.getMessage().contains("selfish") && e.getMessage().contains("nested"), e.getMessage());
            assertNull(TxnSpi.existingExtension(g, selfish));
        }
    }
}
