package io.aurora4j.cli;

import com.sun.tools.attach.VirtualMachineDescriptor;
import io.aurora4j.txn.GroupMXBean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.management.ObjectName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sls ps}: the JVMs on this machine that have Aurora4j groups open, and their groups. Not thread-safe. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List the running JVMs of this user that have Aurora4j groups open, with each group's objects, "
                + "retained checkpoints, durable lag, rollbacks and commits. Attaching starts a JVM's local JMX agent "
                + "if it was not running (no network port), as jconsole does.")
final class PsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;

    @Option(names = "--all", description = "also list JVMs without groups and those that cannot be attached to")
    boolean all;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Object> jvms = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        text.append(String.format("%8s  %-24s  %8s  %8s  %6s  %9s  %10s  %s%n", "PID", "GROUP", "OBJECTS", "RETAINED",
                "LAG", "ROLLBACKS", "COMMITS", "MAIN"));
        int groups = 0;
        for (VirtualMachineDescriptor d : AttachedJvm.list()) {
            long pid = Long.parseLong(d.id());
            Map<String, Object> jvm = new LinkedHashMap<>();
            jvm.put("pid", pid);
            jvm.put("main", d.displayName());
            List<Object> list = new ArrayList<>();
            try (AttachedJvm attached = AttachedJvm.attach(pid)) {
                for (ObjectName n : attached.groupNames()) {
                    GroupMXBean g = attached.group(n);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", g.getName());
                    m.put("objectName", n.toString());
                    m.put("durable", g.isDurable());
                    m.put("objects", g.getObjects());
                    m.put("retainedCheckpoints", g.getRetainedCheckpoints());
                    m.put("durableLag", g.getDurableLag());
                    m.put("rollbacks", g.getRollbacks());
                    m.put("commits", g.getCommits());
                    list.add(m);
                    text.append(String.format("%8d  %-24s  %8d  %8d  %6d  %9d  %10d  %s%n", pid, g.getName(), g.getObjects(),
                            g.getRetainedCheckpoints(), g.getDurableLag(), g.getRollbacks(), g.getCommits(), d.displayName()));
                    groups++;
                }
            } catch (IOException | RuntimeException e) {
                // a JVM that ended meanwhile, or of another user: not ours to show unless asked
                if (all) {
                    jvm.put("error", String.valueOf(e.getMessage()));
                    text.append(String.format("%8d  %-24s  %s%n", pid, "(cannot attach)", e.getMessage()));
                    jvms.add(jvm);
                }
                continue;
            }
            if (!list.isEmpty() || all) {
                jvm.put("groups", list);
                jvms.add(jvm);
                if (list.isEmpty()) {
                    text.append(String.format("%8d  %-24s  %8s  %8s  %6s  %9s  %10s  %s%n", pid, "(no groups)", "", "", "", "", "",
                            d.displayName()));
                }
            }
        }
        if (json) {
            spec.commandLine().getOut().println(Json.write(Map.of("jvms", jvms)));
        } else if (groups == 0 && !all) {
            spec.commandLine().getOut().println("no running JVM of this user has an Aurora4j group open");
        } else {
            spec.commandLine().getOut().print(text);
        }
        spec.commandLine().getOut().flush();
        return Sls.OK;
    }
}
