package io.aurora4j.cli;

import io.aurora4j.txn.GroupMXBean;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code sls history --pid P}: the checkpoints a running group retains. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "List the checkpoints a running group retains, oldest first: id, time, label, durable.")
final class HistoryCommand extends OnlineCommand {
    @Override
    int run(GroupMXBean g) {
        String[] lines = g.history();
        if (json) {
            List<Object> list = new ArrayList<>();
            for (String line : lines) {
                String[] f = line.split("\t", -1);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", Long.parseLong(f[0]));
                m.put("takenAt", f[1]);
                m.put("label", f[2].isEmpty() ? null : f[2]);
                m.put("durable", Boolean.parseBoolean(f[3]));
                list.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("group", g.getName());
            doc.put("checkpoints", list);
            out().println(Json.write(doc));
        } else {
            out().printf("group '%s': %d retained checkpoint%s%n", g.getName(), lines.length, lines.length == 1 ? "" : "s");
            out().printf("%8s  %-30s  %-8s  %s%n", "ID", "TAKEN (UTC)", "DURABLE", "LABEL");
            for (String line : lines) {
                String[] f = line.split("\t", -1);
                out().printf("%8s  %-30s  %-8s  %s%n", f[0], f[1], f[3], f[2]);
            }
        }
        return Sls.OK;
    }
}
