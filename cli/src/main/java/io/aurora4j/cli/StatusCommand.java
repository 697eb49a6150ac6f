package io.aurora4j.cli;

import io.aurora4j.txn.GroupMXBean;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code sls status --pid P [--group G]}: one running group's figures. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a running group's figures: transactions by outcome, checkpoints, rollbacks, flushes, durable lag.")
final class StatusCommand extends OnlineCommand {
    @Override
    int run(GroupMXBean g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("group", g.getName());
        m.put("durable", g.isDurable());
        m.put("objects", g.getObjects());
        m.put("retainedCheckpoints", g.getRetainedCheckpoints());
        m.put("newestCheckpoint", g.getNewestCheckpointId());
        m.put("commits", g.getCommits());
        m.put("conflictAborts", g.getConflictAborts());
        m.put("rollbackAborts", g.getRollbackAborts());
        m.put("exceptionAborts", g.getExceptionAborts());
        m.put("retryAborts", g.getRetryAborts());
        m.put("retries", g.getRetries());
        m.put("gaveUp", g.getGaveUp());
        m.put("checkpoints", g.getCheckpoints());
        m.put("checkpointMeanMicros", g.getCheckpointMeanMicros());
        m.put("rollbacks", g.getRollbacks());
        m.put("rollbackMeanMicros", g.getRollbackMeanMicros());
        m.put("flushes", g.getFlushes());
        m.put("flushBytes", g.getFlushBytes());
        m.put("flushMeanMicros", g.getFlushMeanMicros());
        m.put("durableLag", g.getDurableLag());
        if (json) {
            out().println(Json.write(m));
        } else {
            m.forEach((k, v) -> out().printf("%-22s %s%n", k, v));
        }
        return Sls.OK;
    }
}
