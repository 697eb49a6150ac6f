package io.aurora4j.cli;

import io.aurora4j.txn.GroupMXBean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code sls rollback --pid P --to N}: rolls a running group back, after asking (the group's later state and
 * checkpoints are discarded; its listeners run).
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Roll a running group back to a retained checkpoint (see sls history). Asks for confirmation "
                + "on standard input unless --yes: the state after it and later checkpoints are discarded.")
final class RollbackCommand extends OnlineCommand {
    @Option(names = "--to", required = true, paramLabel = "ID", description = "the checkpoint to roll back to")
    long to;

    @Option(names = "--yes", description = "do not ask for confirmation")
    boolean yes;

    /** Where the confirmation is read; standard input unless a test sets it. */
    static java.io.InputStream confirmations = System.in;

    @Override
    int run(GroupMXBean g) {
        if (!yes) {
            out().printf("Roll group '%s' in JVM %d back to checkpoint %d, discarding everything after it? Type yes: ",
                    g.getName(), pid, to);
            out().flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(confirmations, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !answer.strip().equals("yes")) {
                err().println("sls rollback: not confirmed; nothing was changed");
                return Sls.PROBLEM;
            }
        }
        long restored = g.rollback(to);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", g.getName());
            m.put("rolledBackTo", to);
            m.put("restoredObjects", restored);
            out().println(Json.write(m));
        } else {
            out().printf("group '%s': rolled back to checkpoint %d (%d object%s restored)%n", g.getName(), to, restored,
                    restored == 1 ? "" : "s");
        }
        return Sls.OK;
    }
}
