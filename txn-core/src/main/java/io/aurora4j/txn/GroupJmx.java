package io.aurora4j.txn;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Registers a group's {@link GroupMXBean} with the platform MBean server and removes it, and implements it.
 *
 * <p>The bean holds its group weakly: a group that is dropped without {@link Group#close()} can still be
 * collected, and a cleaner then removes its registration, so turning JMX on never makes an unclosed group
 * live forever. Thread-safe.
 */
final class GroupJmx implements GroupMXBean {
    static final String DOMAIN = "io.aurora4j";
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(GroupJmx.class.getName());

    private final WeakReference<Group> group;
    private final String name;

    private GroupJmx(Group group) {
        this.group = new WeakReference<>(group);
        this.name = group.name();
    }

    /**
     * Registers {@code group}'s bean; returns the action that removes it (idempotent), never null. A failure
     * to register is logged and leaves the group without a bean rather than failing its open.
     */
    static Runnable register(Group group) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        GroupJmx bean = new GroupJmx(group);
        try {
            ObjectName objectName = null;
            for (int instance = 1; objectName == null; instance++) {
                ObjectName candidate = objectName(group.name(), instance);
                try {
                    server.registerMBean(new StandardMBean(bean, GroupMXBean.class, true), candidate);
                    objectName = candidate;
                } catch (InstanceAlreadyExistsException taken) {
                    // another open group of this name: try the next instance number
                }
            }
            Unregister unregister = new Unregister(server, objectName);
            Cleaner.Cleanable cleanable = CLEANER.register(group, unregister);
            return cleanable::clean;
        } catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "group '" + group.name() + "': its GroupMXBean could not be registered", e);
            return () -> { };
        }
    }

    /** {@code io.aurora4j:type=Group,name=<quoted name>} plus {@code instance=<n>} from the second instance on. */
    static ObjectName objectName(String groupName, int instance) throws JMException {
        String n = DOMAIN + ":type=Group,name=" + ObjectName.quote(groupName);
        return new ObjectName(instance == 1 ? n : n + ",instance=" + instance);
    }

    /** The cleaning action: holds no reference to the group. */
    private record Unregister(MBeanServer server, ObjectName objectName) implements Runnable {
        @Override
        public void run() {
            try {
                server.unregisterMBean(objectName);
            } catch (InstanceNotFoundException gone) {
                // already removed
            } catch (JMException e) {
                LOG.log(System.Logger.Level.WARNING, "could not remove " + objectName, e);
            }
        }
    }

    private Group group() {
        Group g = group.get();
        if (g == null || g.isClosed()) {
            throw new IllegalStateException("group '" + name + "' is closed");
        }
        return g;
    }

    private GroupMetrics metrics() {
        Group g = group.get();
        if (g == null) {
            throw new IllegalStateException("group '" + name + "' is closed");
        }
        return g.metrics();
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isDurable() {
        return group().isDurable();
    }

    @Override
    public int getObjects() {
        return metrics().objects();
    }

    @Override
    public int getRetainedCheckpoints() {
        return metrics().retainedCheckpoints();
    }

    @Override
    public long getNewestCheckpointId() {
        List<Checkpoint> h = group().history();
        return h.isEmpty() ? -1 : h.get(h.size() - 1).id();
    }

    @Override
    public long getCommits() {
        return metrics().commits();
    }

    @Override
    public long getConflictAborts() {
        return metrics().conflictAborts();
    }

    @Override
    public long getRollbackAborts() {
        return metrics().rollbackAborts();
    }

    @Override
    public long getExceptionAborts() {
        return metrics().exceptionAborts();
    }

    @Override
    public long getRetryAborts() {
        return metrics().retryAborts();
    }

    @Override
    public long getRetries() {
        return metrics().retries();
    }

    @Override
    public long getGaveUp() {
        return metrics().gaveUp();
    }

    @Override
    public long getCheckpoints() {
        return metrics().checkpoints();
    }

    @Override
    public double getCheckpointMeanMicros() {
        return micros(metrics().checkpointMeanNanos());
    }

    @Override
    public long getRollbacks() {
        return metrics().rollbacks();
    }

    @Override
    public double getRollbackMeanMicros() {
        return micros(metrics().rollbackMeanNanos());
    }

    @Override
    public long getFlushes() {
        return metrics().flushes();
    }

    @Override
    public long getFlushBytes() {
        return metrics().flushBytes();
    }

    @Override
    public double getFlushMeanMicros() {
        return micros(metrics().flushMeanNanos());
    }

    @Override
    public long getDurableLag() {
        return metrics().durableLag();
    }

    @Override
    public long checkpoint(String label) {
        Group g = group();
        return (label == null || label.isEmpty() ? g.checkpoint() : g.checkpoint(label)).id();
    }

    @Override
    public long barrier(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be positive: " + timeoutMillis);
        }
        try {
            return group().barrier().get(timeoutMillis, TimeUnit.MILLISECONDS).id();
        } catch (TimeoutException e) {
            throw new IllegalStateException("group '" + name + "': the barrier's checkpoint was not durable after "
                    + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException("group '" + name + "': the barrier failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("group '" + name + "': interrupted while waiting for the barrier");
        }
    }

    @Override
    public String[] history() {
        List<Checkpoint> h = group().history();
        String[] lines = new String[h.size()];
        for (int i = 0; i < lines.length; i++) {
            Checkpoint c = h.get(i);
            lines[i] = c.id() + "\t" + c.takenAt() + "\t" + c.label().orElse("") + "\t"
                    + (c.durable().isDone() && !c.durable().isCompletedExceptionally());
        }
        return lines;
    }

    @Override
    public long sendImage(String path, long checkpointId, long baseId) {
        Group g = group();
        Checkpoint cp = retained(g, checkpointId);
        Checkpoint base = baseId < 0 ? null : retained(g, baseId);
        if (base != null && base.id() >= cp.id()) {
            throw new IllegalArgumentException("an incremental image goes forward: base " + baseId + " is not older than " + checkpointId);
        }
        java.nio.file.Path file = java.nio.file.Path.of(path);
        if (!file.isAbsolute() || java.nio.file.Files.exists(file) || file.getParent() == null
                || !java.nio.file.Files.isDirectory(file.getParent())) {
            throw new IllegalArgumentException("group '" + name + "': " + path + (java.nio.file.Files.exists(file)
                    ? " exists: an image never overwrites a file" : " is not an absolute path in an existing directory"));
        }
        try {
            java.nio.file.Path part = java.nio.file.Files.createTempFile(file.getParent(), "." + file.getFileName(), ".part");
            try {
                try (java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(part), 1 << 16)) {
                    if (base == null) {
                        g.send(cp, out);
                    } else {
                        g.send(cp, base, out);
                    }
                }
                java.nio.file.Files.move(part, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                java.nio.file.Files.deleteIfExists(part);
            }
            return java.nio.file.Files.size(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("group '" + name + "': cannot write the image to " + path + ": " + e, e);
        }
    }

    private Checkpoint retained(Group g, long id) {
        for (Checkpoint c : g.history()) {
            if (c.id() == id) {
                return c;
            }
        }
        throw new IllegalArgumentException("group '" + name + "' retains no checkpoint " + id);
    }

    @Override
    public long rollback(long checkpointId) {
        Group g = group();
        for (Checkpoint c : g.history()) {
            if (c.id() == checkpointId) {
                return g.rollback(c).restoredObjects();
            }
        }
        throw new IllegalArgumentException("group '" + name + "' retains no checkpoint " + checkpointId);
    }
}
