package io.aurora4j.cli;

import io.aurora4j.store.StoredCheckpoint;
import picocli.CommandLine.Command;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code sls ls DIR}: the checkpoints the store holds, oldest first. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List the checkpoints the store holds, oldest first: id, full or incremental (and its base), "
                + "commit time, bytes written, label. Every one listed is durable (its commit record is on disk).")
final class LsCommand extends StoreCommand {
    @Override
    int run(OpenStore open) {
        List<StoredCheckpoint> cps = open.store.checkpoints();
        if (json) {
            List<Object> list = new ArrayList<>();
            for (StoredCheckpoint c : cps) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", c.id());
                m.put("kind", c.isFull() ? "full" : "incremental");
                m.put("base", c.isFull() ? null : c.baseId());
                m.put("committedAt", Instant.ofEpochMilli(c.committedAtMillis()).toString());
                m.put("bytes", c.bytes());
                m.put("label", c.label());
                m.put("durable", true);
                list.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", open.directory.toString());
            doc.put("checkpoints", list);
            out().println(Json.write(doc));
            return Sls.OK;
        }
        out().printf("%s: %d checkpoint%s, all durable%n", open.directory, cps.size(), cps.size() == 1 ? "" : "s");
        if (cps.isEmpty()) {
            return Sls.OK;
        }
        out().printf("%8s  %-11s  %8s  %-24s  %12s  %s%n", "ID", "KIND", "BASE", "COMMITTED (UTC)", "BYTES", "LABEL");
        for (StoredCheckpoint c : cps) {
            out().printf("%8d  %-11s  %8s  %-24s  %12d  %s%n", c.id(), c.isFull() ? "full" : "incremental",
                    c.isFull() ? "-" : Long.toString(c.baseId()), Instant.ofEpochMilli(c.committedAtMillis()),
                    c.bytes(), c.label() == null ? "" : c.label());
        }
        return Sls.OK;
    }
}
