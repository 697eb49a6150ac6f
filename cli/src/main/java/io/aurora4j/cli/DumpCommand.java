package io.aurora4j.cli;

import io.aurora4j.store.Codecs;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code sls dump DIR OBJECT [--at N] [--pages]}: one object's value in a typed raw form. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print one object of a checkpoint (the newest by default): a long as a number, a ref's value "
                + "and a map's entries decoded with the default Codecs, or the application's (--codecs), as type and text or, when they cannot be, "
                + "as hex; a region's capacity, page size and pages, with --pages a hex summary of each page.")
final class DumpCommand extends StoreCommand {
    private static final int HEAD = 16;

    @Parameters(index = "1", paramLabel = "OBJECT", description = "the object's id")
    String object;

    @Option(names = "--at", paramLabel = "N", description = "the checkpoint to read (default: the newest)")
    Long at;

    @picocli.CommandLine.Mixin
    CodecsOption codecsOption = new CodecsOption();

    @Option(names = "--pages", description = "a region: one line per written page (length, non-zero bytes, first "
            + HEAD + " bytes in hex)")
    boolean pages;

    @Override
    int run(OpenStore open) throws UsageError {
        Codecs codecs = codecsOption.codecs();
        StoredCheckpoint cp = checkpoint(open, at);
        StoredState state = open.store.state(cp.id());
        StoredState.StoredObject o = state.objects().stream().filter(x -> x.id().equals(object)).findFirst()
                .orElseThrow(() -> new UsageError("checkpoint " + cp.id() + " of " + open.directory
                        + " holds no object '" + object + "'"));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("checkpoint", cp.id());
        doc.put("object", Kinds.showId(o.id()));
        doc.put("kind", Kinds.name(o.kind()));
        switch (o.kind()) {
            case Kinds.LONG -> doc.put("value", Kinds.longAt(o.value(), 0));
            case Kinds.REF -> doc.put("value", decoded(o.value(), codecs));
            case Kinds.MAP -> {
                List<Map<String, Object>> entries = new ArrayList<>();
                state.forEachEntry(o.id(), (k, v) -> {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("key", decoded(k, codecs));
                    e.put("value", decoded(v, codecs));
                    entries.add(e);
                });
                // the store gives them in no particular order: sorted, so two dumps of one state compare equal
                entries.sort(Comparator.comparing(e -> Json.write(e.get("key"))));
                doc.put("entries", entries);
            }
            case Kinds.REGION -> {
                doc.put("capacity", Kinds.longAt(o.value(), 0));
                doc.put("pageSize", Kinds.longAt(o.value(), 8));
                long[] indexes = state.pages(o.id());
                doc.put("pageCount", indexes.length);
                if (pages) {
                    doc.put("pages", pageSummaries(state, o.id(), indexes, Kinds.longAt(o.value(), 8)));
                }
            }
            default -> doc.put("hex", Kinds.hex(o.value(), 0, o.value().length));
        }
        if (json) {
            out().println(Json.write(doc));
        } else {
            text(doc);
        }
        return Sls.OK;
    }

    private static List<Map<String, Object>> pageSummaries(StoredState state, String id, long[] indexes,
                                                           Long pageSize) {
        List<Map<String, Object>> list = new ArrayList<>();
        // one page buffer, reused; a page is at most the region's page size, which the store bounds
        int size = pageSize == null || pageSize <= 0 || pageSize > Integer.MAX_VALUE ? 1 << 25 : pageSize.intValue();
        byte[] page = new byte[size];
        UnsafeBuffer buf = new UnsafeBuffer(page);
        for (long index : indexes) {
            int n = state.readPage(id, index, buf, 0);
            int nonZero = 0;
            for (int i = 0; i < n; i++) {
                if (page[i] != 0) {
                    nonZero++;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", index);
            m.put("bytes", n);
            m.put("nonZero", nonZero);
            m.put("head", Kinds.hex(page, 0, Math.min(HEAD, n)));
            list.add(m);
        }
        return list;
    }

    /** A value decoded by {@code codecs}, as its type and text (a number stays a number); else its hex. */
    static Map<String, Object> decoded(byte[] bytes, Codecs codecs) {
        Map<String, Object> m = new LinkedHashMap<>();
        Object v;
        try {
            v = codecs.decode(bytes);
        } catch (RuntimeException e) {
            m.put("hex", Kinds.hex(bytes, 0, bytes.length));
            m.put("undecodable", String.valueOf(e.getMessage()));
            return m;
        }
        m.put("type", v == null ? null : v.getClass().getName());
        m.put("value", v instanceof Number || v instanceof Boolean || v == null ? v : String.valueOf(v));
        return m;
    }

    private void text(Map<String, Object> doc) {
        out().printf("%s '%s' at checkpoint %s%n", doc.get("kind"), doc.get("object"), doc.get("checkpoint"));
        switch ((String) doc.get("kind")) {
            case "long" -> out().printf("  value: %s%n", doc.get("value"));
            case "ref" -> out().printf("  value: %s%n", show(doc.get("value")));
            case "map" -> {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> entries = (List<Map<String, Object>>) doc.get("entries");
                out().printf("  %d entries%n", entries.size());
                for (Map<String, Object> e : entries) {
                    out().printf("  %s -> %s%n", show(e.get("key")), show(e.get("value")));
                }
            }
            case "region" -> {
                out().printf("  capacity %s bytes, page size %s, %s pages written%n", doc.get("capacity"),
                        doc.get("pageSize"), doc.get("pageCount"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> ps = (List<Map<String, Object>>) doc.get("pages");
                if (ps != null) {
                    for (Map<String, Object> p : ps) {
                        out().printf("  page %s: %s bytes, %s non-zero, head %s%n", p.get("index"), p.get("bytes"),
                                p.get("nonZero"), p.get("head"));
                    }
                }
            }
            default -> out().printf("  hex: %s%n", doc.get("hex"));
        }
    }

    private static String show(Object decoded) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) decoded;
        if (m.containsKey("hex")) {
            return "hex " + m.get("hex") + " (not decodable: " + m.get("undecodable") + ")";
        }
        Object v = m.get("value");
        return v instanceof String s ? "\"" + s + "\" (" + m.get("type") + ")" : v + " (" + m.get("type") + ")";
    }
}
