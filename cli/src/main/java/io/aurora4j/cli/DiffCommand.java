package io.aurora4j.cli;

import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code sls diff DIR A B}: what changed from checkpoint A to checkpoint B, object by object. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Show what changed from checkpoint A to checkpoint B: objects added, removed, replaced (kind "
                + "changed) or changed, with values in the typed raw form of dump (a long as a number, a ref's "
                + "value decoded with the default Codecs or as hex); a map's entries added, removed and changed; a "
                + "region's pages added and changed (bytes, first 16 bytes in hex). Bytes are compared: a value "
                + "rewritten with the same bytes is no change. Exits 0 whether or not something changed.")
final class DiffCommand extends StoreCommand {
    private static final int HEAD = 16;

    @Parameters(index = "1", paramLabel = "A", description = "the older checkpoint")
    long from;

    @Parameters(index = "2", paramLabel = "B", description = "the newer checkpoint")
    long to;

    @picocli.CommandLine.Mixin
    CodecsOption codecsOption = new CodecsOption();

    /** The codecs values are decoded with: the defaults or the application's ({@code --codecs}). */
    private io.aurora4j.store.Codecs codecs;

    @Override
    int run(OpenStore open) throws UsageError {
        codecs = codecsOption.codecs();
        StoredCheckpoint a = checkpoint(open, from);
        StoredCheckpoint b = checkpoint(open, to);
        Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
        StoredState newer = open.store.state(b.id());
        StateDiff.diff(open.store.state(a.id()), newer, new StateDiff.Changes() {
            @Override
            public void objectPut(StoredState.StoredObject o, StoredState.StoredObject before, boolean replaced) {
                Map<String, Object> m = object(objects, o.id());
                m.put("change", before == null ? "added" : replaced ? "replaced" : "changed");
                m.put("kind", Kinds.name(o.kind()));
                m.put("before", before == null ? null : value(before));
                m.put("after", value(o));
            }

            @Override
            public void objectRemoved(StoredState.StoredObject before) {
                Map<String, Object> m = object(objects, before.id());
                m.put("change", "removed");
                m.put("kind", Kinds.name(before.kind()));
                m.put("before", value(before));
                m.put("after", null);
            }

            @Override
            public void entryPut(String id, byte[] key, byte[] before, byte[] after) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("change", before == null ? "added" : "changed");
                e.put("key", DumpCommand.decoded(key, codecs));
                e.put("before", before == null ? null : DumpCommand.decoded(before, codecs));
                e.put("after", DumpCommand.decoded(after, codecs));
                list(object(objects, id), "entries").add(e);
            }

            @Override
            public void entryRemoved(String id, byte[] key, byte[] before) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("change", "removed");
                e.put("key", DumpCommand.decoded(key, codecs));
                e.put("before", DumpCommand.decoded(before, codecs));
                e.put("after", null);
                list(object(objects, id), "entries").add(e);
            }

            @Override
            public void pagePut(String id, long index, DirectBuffer page, int length, boolean changed) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("change", changed ? "changed" : "added");
                p.put("index", index);
                p.put("bytes", length);
                byte[] head = new byte[Math.min(HEAD, length)];
                page.getBytes(0, head);
                p.put("head", Kinds.hex(head, 0, head.length));
                list(object(objects, id), "pages").add(p);
            }
        });
        List<Map<String, Object>> changed = new ArrayList<>();
        for (Map<String, Object> m : objects.values()) {
            // an object whose value is unchanged but whose entries or pages changed
            m.putIfAbsent("change", "changed");
            if (!m.containsKey("kind")) {
                StoredState.StoredObject o = newer.objects().stream()
                        .filter(x -> x.id().equals(m.get("rawId"))).findFirst().orElseThrow();
                m.put("kind", Kinds.name(o.kind()));
                m.put("before", value(o));
                m.put("after", value(o));
            }
            m.remove("rawId");
            // entries sorted by key, as dump sorts them: two diffs of the same states print the same
            List<Map<String, Object>> entries = list(m, "entries");
            entries.sort(java.util.Comparator.comparing(e -> Json.write(e.get("key"))));
            changed.add(m);
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", open.directory.toString());
            doc.put("from", a.id());
            doc.put("to", b.id());
            doc.put("objects", changed);
            out().println(Json.write(doc));
            return Sls.OK;
        }
        out().printf("%s: from checkpoint %d%s to %d%s: %d object%s changed%n", open.directory, a.id(),
                a.label() == null ? "" : " '" + a.label() + "'", b.id(), b.label() == null ? "" : " '" + b.label() + "'",
                changed.size(), changed.size() == 1 ? "" : "s");
        for (Map<String, Object> m : changed) {
            String sign = switch ((String) m.get("change")) {
                case "added" -> "+";
                case "removed" -> "-";
                default -> "~";
            };
            out().printf("%s %s '%s' (%s)%s%n", sign, m.get("kind"), m.get("id"), m.get("change"),
                    valueChange(m.get("before"), m.get("after")));
            for (Map<String, Object> e : list(m, "entries")) {
                out().printf("    %s entry %s%s%n", sign((String) e.get("change")), show(e.get("key")),
                        valueChange(e.get("before"), e.get("after")));
            }
            for (Map<String, Object> p : list(m, "pages")) {
                out().printf("    %s page %s: %s bytes, head %s%n", sign((String) p.get("change")), p.get("index"),
                        p.get("bytes"), p.get("head"));
            }
        }
        return Sls.OK;
    }

    private static String sign(String change) {
        return switch (change) {
            case "added" -> "+";
            case "removed" -> "-";
            default -> "~";
        };
    }

    private static String valueChange(Object before, Object after) {
        if (before == null && after == null) {
            return "";
        }
        if (before == null) {
            return ": " + show(after);
        }
        if (after == null) {
            return ": was " + show(before);
        }
        String b = show(before);
        String a = show(after);
        return b.equals(a) ? "" : ": " + b + " -> " + a;
    }

    @SuppressWarnings("unchecked")
    private static String show(Object v) {
        if (v instanceof Map<?, ?> m && m.containsKey("hex") && m.containsKey("undecodable")) {
            return "hex " + m.get("hex");
        }
        if (v instanceof Map<?, ?> m && m.containsKey("type") && m.containsKey("value")) {
            Object x = m.get("value");
            return (x instanceof String s ? "\"" + s + "\"" : String.valueOf(x)) + " (" + m.get("type") + ")";
        }
        return v instanceof Map<?, ?> m ? Json.write(m) : String.valueOf(v);
    }

    private static Map<String, Object> object(Map<String, Map<String, Object>> objects, String id) {
        return objects.computeIfAbsent(id, k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", Kinds.showId(k));
            m.put("rawId", k);
            m.put("entries", new ArrayList<Map<String, Object>>());
            m.put("pages", new ArrayList<Map<String, Object>>());
            return m;
        });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        return (List<Map<String, Object>>) m.get(key);
    }

    /** An object's value in the typed raw form of {@code dump}. */
    private Object value(StoredState.StoredObject o) {
        return switch (o.kind()) {
            case Kinds.LONG -> Kinds.longAt(o.value(), 0);
            case Kinds.REF -> DumpCommand.decoded(o.value(), codecs);
            case Kinds.MAP -> null; // its entries are listed apart
            case Kinds.REGION -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("capacity", Kinds.longAt(o.value(), 0));
                r.put("pageSize", Kinds.longAt(o.value(), 8));
                yield r;
            }
            case Kinds.GROUP -> new String(o.value(), StandardCharsets.UTF_8);
            default -> Map.of("hex", Kinds.hex(o.value(), 0, o.value().length));
        };
    }
}
