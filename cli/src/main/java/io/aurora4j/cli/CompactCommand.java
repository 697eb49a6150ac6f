package io.aurora4j.cli;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.ExpandableArrayBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sls compact DIR [--keep N] [--yes]}: drops all but the newest N checkpoints and deletes the segment files
 * only they needed. It first writes the newest state again as a full checkpoint (id newest + 1, label
 * {@code sls compact}), so that no older segment is needed for it; the store's own retention then drops the older
 * checkpoints and its compaction deletes the dead segments, oldest first, each deletion made durable. Asks before it
 * changes anything, unless {@code --yes}. Not thread-safe: one invocation.
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Keep only the newest N checkpoints (default 1) and delete the segment files nothing kept "
                + "needs. The newest state is first written again as a full checkpoint (id newest + 1, label "
                + "'sls compact', the same objects, entries and pages), then the store's retention drops the "
                + "older checkpoints and its compaction deletes dead segments. Shows what it will drop and asks "
                + "for confirmation (a line 'y' or 'yes' on standard input) unless --yes; anything else changes "
                + "nothing (exit 1). Refuses a directory a live process holds (exit 3).")
final class CompactCommand extends StoreCommand {
    /** The label of the full checkpoint compact writes. */
    static final String LABEL = "sls compact";

    @Option(names = "--keep", paramLabel = "N", defaultValue = "1",
            description = "checkpoints to keep, counting the one compact writes (default: ${DEFAULT-VALUE})")
    int keep;

    @Option(names = "--yes", description = "do not ask: compact at once")
    boolean yes;

    @Override
    int run(OpenStore open) throws UsageError {
        if (keep < 1) {
            throw new UsageError("--keep must be at least 1, was " + keep);
        }
        List<StoredCheckpoint> held = open.store.checkpoints();
        StoredCheckpoint newest = open.store.lastDurable().orElseThrow(
                () -> new UsageError(open.directory + " holds no checkpoint: nothing to compact"));
        List<Path> before = segments(open);
        // fewer than N held: nothing would be dropped; one full checkpoint in one segment: no file could go (the
        // segment a new checkpoint goes to is never deleted by its own commit)
        if (held.size() < keep || held.size() == 1 && newest.isFull() && before.size() == 1) {
            return report(open.directory, newest, held, List.of(), before, bytesOf(before), before, false,
                    "nothing to compact: " + (held.size() < keep ? held.size() + " checkpoints held, fewer than "
                            + "--keep " + keep : "one full checkpoint, in one segment"));
        }
        // after compact: the new full checkpoint and the newest keep - 1 of today's
        List<StoredCheckpoint> dropped = held.subList(0, held.size() - (keep - 1));
        long bytesBefore = bytesOf(before);
        if (!yes) {
            err().printf("sls compact %s: writes checkpoint %d (a full copy of checkpoint %d), then drops %d "
                            + "checkpoint%s (%s) and deletes the segment files nothing kept needs (%d files, %d bytes "
                            + "now). Go ahead? [y/N] ", open.directory, newest.id() + 1, newest.id(), dropped.size(),
                    dropped.size() == 1 ? "" : "s", ids(dropped), before.size(), bytesBefore);
            err().flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(parent.stdin, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
                err().println();
                err().println("sls compact: not confirmed; nothing changed");
                return Sls.PROBLEM;
            }
        }
        Path dir = open.directory;
        open.close(); // our read-only open keeps every store (ours included) out of the directory
        StoredCheckpoint written;
        try (Store s = Store.directoryBuilder(dir).retainCheckpoints(keep).cleaning(false)
                .backgroundDeletes(false).open()) {
            written = copyAsFull(s, s.state(s.lastDurable().orElseThrow().id()));
            held = s.checkpoints();
        } catch (StoreException e) {
            err().println("sls compact: " + dir + ": " + e.getMessage() + " (nothing was deleted unless a new "
                    + "checkpoint was committed)");
            return Sls.CANNOT_OPEN;
        }
        return report(dir, written, held, dropped, before, bytesBefore, segments(dir), true, null);
    }

    /** Writes {@code state} again as a full checkpoint, one id above it; returns it once durable. */
    private static StoredCheckpoint copyAsFull(Store s, StoredState state) {
        ExpandableArrayBuffer page = new ExpandableArrayBuffer(4096);
        try (CheckpointWriter w = s.begin(state.checkpoint().id() + 1, -1, LABEL)) {
            for (StoredState.StoredObject o : state.objects()) {
                w.putObject(o.id(), o.kind(), o.value());
                state.forEachEntry(o.id(), (k, v) -> w.putEntry(o.id(), k, v));
                for (long index : state.pages(o.id())) {
                    int n = state.readPage(o.id(), index, page, 0);
                    w.putPage(o.id(), index, page, 0, n);
                }
            }
            return w.commit();
        }
    }

    private int report(Path dir, StoredCheckpoint newest, List<StoredCheckpoint> held, List<StoredCheckpoint> dropped,
                       List<Path> before, long bytesBefore, List<Path> after, boolean compacted, String note) {
        List<String> deleted = new ArrayList<>();
        for (Path p : before) {
            if (!after.contains(p)) {
                deleted.add(p.getFileName().toString());
            }
        }
        long bytesAfter = bytesOf(after);
        long freed = bytesBefore - bytesAfter;
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", dir.toString());
            doc.put("compacted", compacted);
            doc.put("written", compacted ? newest.id() : null);
            doc.put("dropped", dropped.stream().map(StoredCheckpoint::id).toList());
            doc.put("kept", held.stream().map(StoredCheckpoint::id).toList());
            doc.put("deletedSegments", deleted);
            doc.put("bytesBefore", bytesBefore);
            doc.put("bytesAfter", bytesAfter);
            doc.put("note", note);
            out().println(Json.write(doc));
        } else if (!compacted) {
            out().printf("%s: %s%n", dir, note);
        } else {
            out().printf("%s: wrote full checkpoint %d; dropped checkpoints %s; kept %s; deleted %d segment file%s "
                            + "(%s), %d bytes freed%n", dir, newest.id(), ids(dropped), ids(held), deleted.size(),
                    deleted.size() == 1 ? "" : "s", String.join(", ", deleted), freed);
        }
        return Sls.OK;
    }

    private static String ids(List<StoredCheckpoint> cps) {
        return cps.stream().map(c -> Long.toString(c.id())).toList().toString();
    }

    private static List<Path> segments(OpenStore open) {
        try {
            return open.segments();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> segments(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("segment-\\d{16}\\.log")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long bytesOf(List<Path> files) {
        long n = 0;
        for (Path p : files) {
            try {
                n += Files.size(p);
            } catch (IOException e) {
                // deleted meanwhile: counts as nothing
            }
        }
        return n;
    }
}
