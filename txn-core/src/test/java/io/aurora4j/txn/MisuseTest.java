package io.aurora4j.txn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Misuse fails at once, with an exception naming what was misused. */
class MisuseTest {

    @Test
    void everyOperationOnAClosedGroupFailsNamingTheGroup() {
        Group g = Group.inMemory("shut");
        TLong x = g.newLong("x", 1);
        TRef<String> r = g.newRef("r", "v");
        TMap<String, String> m = g.newMap("m");
        m.put("k", "v");
        Checkpoint cp = g.checkpoint();
        g.close();
        g.close(); // idempotent
        assertTrue(g.isClosed());
        assertTrue(g.toString().contains("closed"));

        Map<String, Executable> ops = new LinkedHashMap<>();
        ops.put("newLong", () -> g.newLong("y", 0));
        ops.put("newRef", () -> g.newRef("s", "v"));
        ops.put("newMap", () -> g.newMap("n"));
        ops.put("longRef", () -> g.longRef("x"));
        ops.put("ref", () -> g.ref("r"));
        ops.put("map", () -> g.map("m"));
        ops.put("atomic(Runnable)", () -> g.atomic(() -> { }));
        ops.put("atomic(Supplier)", () -> g.atomic((Supplier<Integer>) () -> 1));
        ops.put("checkpoint()", g::checkpoint);
        ops.put("checkpoint(label)", () -> g.checkpoint("label"));
        ops.put("rollback", () -> g.rollback(cp));
        ops.put("onRollback", () -> g.onRollback(e -> { }));
        ops.put("TLong.get", x::get);
        ops.put("TLong.set", () -> x.set(2));
        ops.put("TLong.add", () -> x.add(1));
        ops.put("TLong.getAndSet", () -> x.getAndSet(2));
        ops.put("TLong.compareAndSet", () -> x.compareAndSet(1, 2));
        ops.put("TLong.updateAndGet", () -> x.updateAndGet(v -> v + 1));
        ops.put("TRef.get", r::get);
        ops.put("TRef.set", () -> r.set("w"));
        ops.put("TRef.getAndSet", () -> r.getAndSet("w"));
        ops.put("TRef.compareAndSet", () -> r.compareAndSet("v", "w"));
        ops.put("TRef.updateAndGet", () -> r.updateAndGet(v -> v + "!"));
        ops.put("TMap.get", () -> m.get("k"));
        ops.put("TMap.getOrDefault", () -> m.getOrDefault("k", "d"));
        ops.put("TMap.containsKey", () -> m.containsKey("k"));
        ops.put("TMap.put", () -> m.put("k", "w"));
        ops.put("TMap.putIfAbsent", () -> m.putIfAbsent("z", "w"));
        ops.put("TMap.remove", () -> m.remove("k"));
        ops.put("TMap.size", m::size);
        ops.put("TMap.isEmpty", m::isEmpty);
        ops.put("TMap.snapshot", m::snapshot);
        ops.put("TMap.forEach", () -> m.forEach((k, v) -> { }));
        ops.forEach((name, op) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, op, name + " on a closed group");
            assertTrue(e.getMessage().contains("'shut'"), name + ": " + e.getMessage());
        });
    }

    @Test
    void aStateObjectOfAnotherGroupInsideATransactionIsRefused() {
        try (Group g = Group.inMemory("mine"); Group other = Group.inMemory("theirs")) {
            TLong mine = g.newLong("mine", 0);
            TLong foreignLong = other.newLong("x", 0);
            TRef<String> foreignRef = other.newRef("r", "v");
            TMap<String, String> foreignMap = other.newMap("m");
            Map<String, Runnable> uses = new LinkedHashMap<>();
            uses.put("TLong.get", foreignLong::get);
            uses.put("TLong.set", () -> foreignLong.set(1));
            uses.put("TLong.add", () -> foreignLong.add(1));
            uses.put("TRef.get", foreignRef::get);
            uses.put("TRef.set", () -> foreignRef.set("w"));
            uses.put("TMap.get", () -> foreignMap.get("k"));
            uses.put("TMap.put", () -> foreignMap.put("k", "v"));
            uses.put("TMap.size", foreignMap::size);
            uses.forEach((name, use) -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.atomic(() -> {
                    mine.set(1);
                    use.run();
                }), name);
                assertTrue(e.getMessage().contains("'theirs'") && e.getMessage().contains("'mine'"), name + ": " + e.getMessage());
            });
            assertEquals(0, mine.get(), "the refused transactions left nothing");
            assertEquals(0, foreignLong.get());
            assertTrue(foreignMap.isEmpty());
        }
    }

    @Test
    void aNestedAtomicOfAnotherGroupIsRefused() {
        try (Group g = Group.inMemory("outer"); Group other = Group.inMemory("inner")) {
            TLong x = g.newLong("x", 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                x.set(1);
                other.atomic(() -> { });
            }));
            assertTrue(e.getMessage().contains("'outer'") && e.getMessage().contains("'inner'"), e.getMessage());
            assertEquals(0, x.get());
        }
    }

    @Test
    void idsAreUniqueAndLookupsFailClearly() {
        try (Group g = Group.inMemory("ids")) {
            TLong x = g.newLong("x", 1);
            TRef<String> r = g.newRef("r", "v");
            TMap<String, String> m = g.newMap("m");
            assertSame(x, g.longRef("x"));
            assertSame(r, g.ref("r"));
            assertSame(m, g.map("m"));
            assertEquals("x", x.id());
            assertSame(g, x.group());

            IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> g.newLong("x", 2));
            assertTrue(dup.getMessage().contains("'x'") && dup.getMessage().contains("'ids'"), dup.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.newRef("x", "other kind, same id"));
            assertThrows(IllegalArgumentException.class, () -> g.newMap("r"));
            assertEquals(1, x.get(), "the duplicate did not replace the original");

            NoSuchElementException missing = assertThrows(NoSuchElementException.class, () -> g.longRef("nope"));
            assertTrue(missing.getMessage().contains("'nope'") && missing.getMessage().contains("'ids'"), missing.getMessage());
            assertThrows(NoSuchElementException.class, () -> g.ref("nope"));
            assertThrows(NoSuchElementException.class, () -> g.map("nope"));

            IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class, () -> g.longRef("r"));
            assertTrue(wrongType.getMessage().contains("TRef") && wrongType.getMessage().contains("TLong"), wrongType.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.ref("m"));
            assertThrows(IllegalArgumentException.class, () -> g.map("x"));
            assertThrows(NullPointerException.class, () -> g.newLong(null, 0));
            assertThrows(NullPointerException.class, () -> g.longRef(null));
        }
    }

    @Test
    void creatingStateObjectsInsideATransactionIsRefused() {
        try (Group g = Group.inMemory("create"); Group other = Group.inMemory("other")) {
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> g.newLong("x", 0)));
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> g.newRef("r", "v")));
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> g.newMap("m")));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.atomic(() -> g.newLong("y", 0)));
            assertTrue(e.getMessage().contains("'y'"), e.getMessage());
            assertThrows(NoSuchElementException.class, () -> g.longRef("x"), "nothing was registered");
            assertEquals(0, g.stats().objects());
        }
    }

    @Test
    void builderSettingsAreCheckedAndMayBeGivenOnce() {
        assertThrows(IllegalArgumentException.class, () -> Group.builder("b").retainCheckpoints(0));
        assertThrows(IllegalArgumentException.class, () -> Group.builder("b").retainCheckpoints(-1));
        assertThrows(IllegalArgumentException.class, () -> Group.builder("b").maxRetries(0));
        assertThrows(IllegalArgumentException.class, () -> Group.builder(" "));
        assertThrows(NullPointerException.class, () -> Group.builder(null));

        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> Group.builder("b").retainCheckpoints(5).retainCheckpoints(6));
        assertTrue(twice.getMessage().contains("retainCheckpoints") && twice.getMessage().contains("5"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> Group.builder("b").maxRetries(5).maxRetries(6));
        assertThrows(IllegalStateException.class, () -> Group.builder("b").notificationExecutor(Runnable::run).notificationExecutor(Runnable::run));
        assertThrows(IllegalStateException.class, () -> Group.builder("b").listenerErrorHandler((l, e, t) -> { }).listenerErrorHandler((l, e, t) -> { }));
        assertThrows(IllegalStateException.class, () -> Group.builder("b").hookErrorHandler(e -> { }).hookErrorHandler(e -> { }));
        assertThrows(IllegalStateException.class, () -> Group.builder("b").maintenanceExecutor(Runnable::run).maintenanceExecutor(Runnable::run));
        assertThrows(NullPointerException.class, () -> Group.builder("b").maintenanceExecutor(null));

        GroupBuilder builder = Group.builder("b");
        try (Group g = builder.open()) {
            assertEquals("b", g.name());
            assertThrows(IllegalStateException.class, builder::open);
            // The group keeps the opened settings and a fork copies them: a later setter must not change them.
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> builder.maxRetries(3));
            assertTrue(late.getMessage().contains("'b'"), late.getMessage());
            assertThrows(IllegalStateException.class, () -> builder.onGroupRestore(r -> { }));
        }
    }

    @Test
    void nullKeysValuesAndArgumentsAreRefused() {
        try (Group g = Group.inMemory("nulls")) {
            TMap<String, String> m = g.newMap("m");
            TLong x = g.newLong("x", 0);
            assertThrows(NullPointerException.class, () -> m.get(null));
            assertThrows(NullPointerException.class, () -> m.containsKey(null));
            assertThrows(NullPointerException.class, () -> m.put(null, "v"));
            assertThrows(NullPointerException.class, () -> m.put("k", null));
            assertThrows(NullPointerException.class, () -> m.putIfAbsent(null, "v"));
            assertThrows(NullPointerException.class, () -> m.putIfAbsent("k", null));
            assertThrows(NullPointerException.class, () -> m.remove(null));
            assertThrows(NullPointerException.class, () -> g.atomic(() -> m.put("k", null)));
            assertThrows(NullPointerException.class, () -> m.forEach(null));
            assertTrue(m.isEmpty());
            Checkpoint cp = g.checkpoint();
            assertThrows(NullPointerException.class, () -> cp.view().get(m, null));
            assertThrows(NullPointerException.class, () -> g.atomic((Runnable) null));
            assertThrows(NullPointerException.class, () -> g.rollback(null));
            assertThrows(NullPointerException.class, () -> g.rollback(cp, null));
            assertThrows(NullPointerException.class, () -> g.checkpoint(null));
            assertThrows(NullPointerException.class, () -> g.onRollback(null));
            assertThrows(NullPointerException.class, () -> x.updateAndGet(null));
            assertEquals(0, x.get());
        }
    }
}
