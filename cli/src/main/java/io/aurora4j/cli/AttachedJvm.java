package io.aurora4j.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.aurora4j.txn.GroupMXBean;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A running JVM on this machine reached through the JDK Attach API, and the Aurora4j groups its platform MBean
 * server shows: the link every online {@code sls} command uses.
 *
 * <p>Attaching starts the target's local JMX agent if it is not running yet (as {@code jconsole} does): it listens
 * on no network port, only the same user on the same machine can connect. The Attach API needs the target to run
 * as the same user, and refuses a JVM started with {@code -XX:+DisableAttachMechanism}. Not thread-safe; close it.
 */
final class AttachedJvm implements AutoCloseable {
    static final String GROUPS = "io.aurora4j:type=Group,*";

    final long pid;
    final String displayName;
    private final JMXConnector connector;
    final MBeanServerConnection server;

    private AttachedJvm(long pid, String displayName, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.displayName = displayName;
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** The JVMs the Attach API lists on this machine, this one excluded. */
    static List<VirtualMachineDescriptor> list() {
        String self = Long.toString(ProcessHandle.current().pid());
        List<VirtualMachineDescriptor> all = new ArrayList<>();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (!d.id().equals(self)) {
                all.add(d);
            }
        }
        return all;
    }

    /**
     * Attaches to JVM {@code pid} and connects to its platform MBean server.
     *
     * @throws IOException with a message naming the pid and why (no such JVM, another user, attach disabled)
     */
    static AttachedJvm attach(long pid) throws IOException {
        String name = "";
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(Long.toString(pid))) {
                name = d.displayName();
            }
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to JVM " + pid + ": " + e.getMessage()
                    + " (is it a JVM of this user, without -XX:+DisableAttachMechanism?)", e);
        }
        try {
            String address = vm.startLocalManagementAgent();
            JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            return new AttachedJvm(pid, name, connector);
        } finally {
            vm.detach();
        }
    }

    /** The object names of the groups open in the JVM, sorted. */
    Set<ObjectName> groupNames() throws IOException {
        try {
            return new TreeSet<>(server.queryNames(new ObjectName(GROUPS), null));
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The bean of the group named {@code group}, or of the only group when {@code group} is null.
     *
     * @throws IllegalArgumentException naming the groups open when there is no such group, or several and no name
     */
    GroupMXBean group(String group) throws IOException {
        Set<ObjectName> names = groupNames();
        List<String> open = new ArrayList<>();
        ObjectName found = null;
        for (ObjectName n : names) {
            String g = ObjectName.unquote(n.getKeyProperty("name"));
            String instance = n.getKeyProperty("instance");
            String shown = instance == null ? g : g + " (instance " + instance + ")";
            open.add(shown);
            if (group == null ? names.size() == 1 : g.equals(group) && instance == null) {
                found = n;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException(names.isEmpty() ? "JVM " + pid + " has no open Aurora4j group"
                    : group == null ? "JVM " + pid + " has several groups, name one with --group: " + open
                    : "JVM " + pid + " has no group '" + group + "'; open: " + open);
        }
        return JMX.newMXBeanProxy(server, found, GroupMXBean.class);
    }

    /** The bean of a group by its object name. */
    GroupMXBean group(ObjectName name) {
        return JMX.newMXBeanProxy(server, name, GroupMXBean.class);
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
