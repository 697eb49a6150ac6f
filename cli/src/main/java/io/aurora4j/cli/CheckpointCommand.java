package io.aurora4j.cli;

import io.aurora4j.txn.GroupMXBean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code sls checkpoint --pid P [--label L]}: takes a checkpoint of a running group. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Take a checkpoint of a running group and print its id.")
final class CheckpointCommand extends OnlineCommand {
    @Option(names = "--label", description = "the checkpoint's label")
    String label;

    @Override
    int run(GroupMXBean g) {
        long id = g.checkpoint(label);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", g.getName());
            m.put("checkpoint", id);
            m.put("label", label);
            out().println(Json.write(m));
        } else {
            out().printf("group '%s': checkpoint %d%s%n", g.getName(), id, label == null ? "" : " '" + label + "'");
        }
        return Sls.OK;
    }
}
