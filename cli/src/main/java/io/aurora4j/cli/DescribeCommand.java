package io.aurora4j.cli;

import io.aurora4j.store.StoreStats;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code sls describe DIR [--at N]}: the objects of a checkpoint, the segments, retention and cleaning. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe the state of a checkpoint (the newest by default): its group, every object with "
                + "its kind and sizes (entries, pages, bytes); the store's segment files; retention (the "
                + "checkpoints held) and cleaning (bytes only a full checkpoint or cleaning can reclaim).")
final class DescribeCommand extends StoreCommand {
    @Option(names = "--at", paramLabel = "N", description = "the checkpoint to describe (default: the newest)")
    Long at;

    @Override
    int run(OpenStore open) throws UsageError {
        StoredCheckpoint cp = checkpoint(open, at);
        StoredState state = open.store.state(cp.id());
        String group = null;
        List<Map<String, Object>> objects = new ArrayList<>();
        for (StoredState.StoredObject o : state.objects()) {
            if (o.kind() == Kinds.GROUP && o.id().equals(Kinds.GROUP_META_ID)) {
                group = new String(o.value(), java.nio.charset.StandardCharsets.UTF_8);
                continue;
            }
            objects.add(sizes(state, o));
        }
        List<Map<String, Object>> segments = new ArrayList<>();
        try {
            for (Path p : open.segments()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", p.getFileName().toString());
                m.put("bytes", Files.size(p));
                segments.add(m);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<StoredCheckpoint> held = open.store.checkpoints();
        Map<String, Object> retention = new LinkedHashMap<>();
        retention.put("checkpoints", held.size());
        retention.put("oldest", held.getFirst().id());
        retention.put("newest", held.getLast().id());
        Map<String, Object> cleaning = new LinkedHashMap<>();
        cleaning.put("reclaimableBytes", open.store.reclaimableBytes());
        cleaning.put("suggestFull", open.store.suggestFull());
        // not stats().cleaning(): sls opens with cleaning off, which says nothing of the owner's setting
        StoreStats stats = open.store.stats();
        cleaning.put("liveBytes", stats.liveBytes());
        List<String> recovery = open.io.recoveryChanges();
        // The store's own recovery report of this (read-only) open: what it scanned, and what an owner's open cuts.
        io.aurora4j.store.RecoveryReport report = open.store.recovery();
        Map<String, Object> scan = new LinkedHashMap<>();
        scan.put("segmentsScanned", report.segmentsScanned());
        scan.put("bytesScanned", report.bytesScanned());
        scan.put("recordsChecked", report.recordsChecked());
        scan.put("clean", report.isClean());
        List<Object> findings = new java.util.ArrayList<>();
        for (io.aurora4j.store.RecoveryReport.Finding f : report.findings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", f.kind().name());
            m.put("file", f.file() == null ? null : f.file().toString());
            m.put("offset", f.offset());
            m.put("bytes", f.bytes());
            m.put("checkpointId", f.checkpointId());
            m.put("keptCheckpointId", f.keptCheckpointId());
            m.put("message", f.message());
            findings.add(m);
        }
        scan.put("findings", findings);

        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", open.directory.toString());
            doc.put("checkpoint", cp.id());
            doc.put("label", cp.label());
            doc.put("group", group);
            doc.put("objects", objects);
            doc.put("segments", segments);
            doc.put("retention", retention);
            doc.put("cleaning", cleaning);
            doc.put("recovery", recovery);
            doc.put("recoveryReport", scan);
            out().println(Json.write(doc));
            return Sls.OK;
        }
        out().printf("%s: checkpoint %d%s of group %s%n", open.directory, cp.id(),
                cp.label() == null ? "" : " '" + cp.label() + "'", group == null ? "(none stored)" : "'" + group + "'");
        out().printf("%nobjects (%d):%n", objects.size());
        out().printf("  %-24s  %-6s  %10s  %10s  %14s%n", "ID", "KIND", "ENTRIES", "PAGES", "BYTES");
        for (Map<String, Object> o : objects) {
            out().printf("  %-24s  %-6s  %10s  %10s  %14s%n", o.get("id"), o.get("kind"), dash(o.get("entries")),
                    dash(o.get("pages")), o.get("bytes"));
        }
        out().printf("%nsegments (%d):%n", segments.size());
        for (Map<String, Object> s : segments) {
            out().printf("  %-30s  %14d bytes%n", s.get("file"), (Long) s.get("bytes"));
        }
        out().printf("%nretention: %d checkpoints held, %d to %d%n", held.size(), held.getFirst().id(),
                held.getLast().id());
        out().printf("cleaning: %d bytes reclaimable only by cleaning or a full checkpoint; full checkpoint "
                + "suggested: %s; %d bytes live%n", open.store.reclaimableBytes(),
                open.store.suggestFull() ? "yes" : "no", stats.liveBytes());
        out().printf("recovery scan: %s%n", report);
        if (!recovery.isEmpty()) {
            out().printf("recovery (an owner's open will do this; sls did not): %s%n", String.join("; ", recovery));
        }
        return Sls.OK;
    }

    private static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }

    /** Id, kind and sizes of one object: entries and their bytes for a map, pages for a region. */
    static Map<String, Object> sizes(StoredState state, StoredState.StoredObject o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Kinds.showId(o.id()));
        m.put("kind", Kinds.name(o.kind()));
        switch (o.kind()) {
            case Kinds.MAP -> {
                long[] count = new long[2];
                state.forEachEntry(o.id(), (k, v) -> {
                    count[0]++;
                    count[1] += k.length + v.length;
                });
                m.put("entries", count[0]);
                m.put("pages", null);
                m.put("bytes", count[1]);
            }
            case Kinds.REGION -> {
                long pages = state.pages(o.id()).length;
                Long pageSize = Kinds.longAt(o.value(), 8);
                m.put("entries", null);
                m.put("pages", pages);
                m.put("bytes", pageSize == null ? null : pages * pageSize);
                m.put("capacity", Kinds.longAt(o.value(), 0));
                m.put("pageSize", pageSize);
            }
            default -> {
                m.put("entries", null);
                m.put("pages", null);
                m.put("bytes", (long) o.value().length);
            }
        }
        return m;
    }
}
