package io.aurora4j.cli;

import io.aurora4j.txn.GroupMXBean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code sls barrier --pid P}: a checkpoint of a running group, waited for until durable. */
@Command(name = "barrier", mixinStandardHelpOptions = true,
        description = "Take a checkpoint of a running group and wait until it is durable; exit 1 if it is not in time "
                + "or the store failed.")
final class BarrierCommand extends OnlineCommand {
    @Option(names = "--timeout-ms", defaultValue = "30000", description = "how long to wait (default ${DEFAULT-VALUE} ms)")
    long timeoutMillis;

    @Override
    int run(GroupMXBean g) {
        long id = g.barrier(timeoutMillis);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", g.getName());
            m.put("durableCheckpoint", id);
            out().println(Json.write(m));
        } else {
            out().printf("group '%s': checkpoint %d is durable%n", g.getName(), id);
        }
        return Sls.OK;
    }
}
