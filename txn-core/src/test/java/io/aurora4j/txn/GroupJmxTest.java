package io.aurora4j.txn;

import io.aurora4j.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A group's GroupMXBean: registered at open, gone at close, its attributes and operations. */
@Timeout(60)
class GroupJmxTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @TempDir
    Path dir;

    private static ObjectName name(String group) throws Exception {
        return new ObjectName("io.aurora4j:type=Group,name=" + ObjectName.quote(group));
    }

    @Test
    void registeredWhileOpenAndRemovedAtClose() throws Exception {
        ObjectName on = name("jmx-open");
        Group g = Group.inMemory("jmx-open");
        assertTrue(SERVER.isRegistered(on));
        GroupMXBean bean = JMX.newMXBeanProxy(SERVER, on, GroupMXBean.class);
        TLong x = g.newLong("x", 0);
        g.atomic(() -> x.set(1));
        assertEquals("jmx-open", bean.getName());
        assertEquals(1, bean.getCommits());
        assertEquals(1, bean.getObjects());
        assertEquals(1L, SERVER.getAttribute(on, "Commits"), "plain JMX clients see the attribute by name");
        g.close();
        assertFalse(SERVER.isRegistered(on));
    }

    @Test
    void operationsTakeACheckpointListHistoryAndRollBack() throws Exception {
        try (Group g = Group.builder("jmx-ops").store(Store.directory(dir)).checkpointEvery(Duration.ZERO).open()) {
            GroupMXBean bean = JMX.newMXBeanProxy(SERVER, name("jmx-ops"), GroupMXBean.class);
            TLong x = g.newLong("x", 1);
            long id = bean.checkpoint("before");
            g.atomic(() -> x.set(2));
            assertEquals(id, bean.getNewestCheckpointId());
            String[] history = bean.history();
            assertTrue(history[history.length - 1].startsWith(id + "\t"), String.join("|", history));
            assertTrue(history[history.length - 1].contains("\tbefore\t"), String.join("|", history));
            long durable = bean.barrier(10_000);
            assertTrue(durable > id);
            assertEquals(0, bean.getDurableLag());
            assertTrue(bean.getFlushes() >= 1);
            assertEquals(1, bean.rollback(id));
            assertEquals(1, x.get());
            assertEquals(1, bean.getRollbacks());
            assertThrows(IllegalArgumentException.class, () -> bean.rollback(9_999));
            assertThrows(IllegalArgumentException.class, () -> bean.barrier(0));
        }
    }

    @Test
    void twoOpenGroupsOfOneNameGetDistinctInstances() throws Exception {
        try (Group a = Group.inMemory("jmx-twin"); Group b = Group.inMemory("jmx-twin")) {
            assertTrue(SERVER.isRegistered(name("jmx-twin")));
            assertTrue(SERVER.isRegistered(new ObjectName(name("jmx-twin") + ",instance=2")));
            b.newLong("only-in-b", 0);
            assertEquals(1, JMX.newMXBeanProxy(SERVER, new ObjectName(name("jmx-twin") + ",instance=2"),
                    GroupMXBean.class).getObjects());
        }
        assertFalse(SERVER.isRegistered(name("jmx-twin")));
    }

    @Test
    void aNameThatNeedsQuotingIsRegisteredQuoted() throws Exception {
        try (Group g = Group.inMemory("odd,name=\"x\"*")) {
            assertTrue(SERVER.isRegistered(name("odd,name=\"x\"*")));
        }
    }

    @Test
    void switchedOffNothingIsRegistered() throws Exception {
        try (Group g = Group.builder("jmx-off").jmx(false).open()) {
            assertFalse(SERVER.isRegistered(name("jmx-off")));
        }
        assertThrows(IllegalStateException.class, () -> Group.builder("x").jmx(false).jmx(true));
    }

    @Test
    void anUnclosedGroupThatIsCollectedLeavesNoBeanBehind() throws Exception {
        openAndDrop("jmx-dropped");
        ObjectName on = name("jmx-dropped");
        for (int i = 0; i < 200 && SERVER.isRegistered(on); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(SERVER.isRegistered(on), "the bean must not keep a dropped group alive");
    }

    private static void openAndDrop(String name) {
        Group g = Group.inMemory(name);
        g.newLong("x", 0);
    }
}
