package io.aurora4j.cli;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Images;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code sls send DIR --checkpoint N [--base M] [-o FILE]}: a checkpoint of a store directory as an image, in the
 * format of {@code Group.send}, which {@code Group.receive} and {@code sls recv} read.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Write an image of checkpoint N (Images format, as Group.send writes it) to FILE or, without "
                + "-o, to standard output: a full image (every object, entry and page of N), or with --base M an "
                + "incremental one holding what changed from M to N (as sls diff shows it), for a receiver whose "
                + "newest checkpoint is M. A file appears only once the whole image is written. With --pid P instead "
                + "of DIR, a retained checkpoint of a running group, written to FILE by that JVM.")
final class SendCommand extends StoreCommand {
    @Option(names = "--checkpoint", paramLabel = "N", required = true, description = "the checkpoint to send")
    long checkpoint;

    @Option(names = "--base", paramLabel = "M", description = "send only what changed since checkpoint M (older than N)")
    Long base;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the image to FILE (which must not "
            + "exist) instead of standard output")
    Path output;

    @Option(names = "--pid", description = "send from the running JVM P (see sls ps) instead of a store directory: "
            + "a retained checkpoint of its group, written by that JVM to FILE")
    Long pid;

    @Option(names = "--group", paramLabel = "NAME", description = "with --pid: the group; may be left out when the JVM has one")
    String group;

    /** {@code sls send --pid P --checkpoint N [--base M] -o FILE}: the live group writes the image (GroupMXBean#sendImage). */
    @Override
    Integer withoutDirectory() {
        if (pid == null) {
            return null;
        }
        if (output == null) {
            err().println("sls send: --pid needs -o FILE: the running JVM writes the image to a file");
            return Sls.USAGE;
        }
        Path file = output.toAbsolutePath().normalize();
        try (AttachedJvm jvm = AttachedJvm.attach(pid)) {
            io.aurora4j.txn.GroupMXBean bean;
            try {
                bean = jvm.group(group);
            } catch (IllegalArgumentException e) {
                err().println("sls send: " + e.getMessage());
                return Sls.USAGE;
            }
            long bytes;
            try {
                bytes = bean.sendImage(file.toString(), checkpoint, base == null ? -1 : base);
            } catch (RuntimeException e) {
                Throwable cause = e;
                while (cause.getCause() != null && !(cause instanceof IllegalArgumentException) && !(cause instanceof IllegalStateException)) {
                    cause = cause.getCause();
                }
                err().println("sls send: group '" + bean.getName() + "' in JVM " + pid + ": " + cause.getMessage());
                return cause instanceof IllegalArgumentException ? Sls.USAGE : Sls.PROBLEM;
            }
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("pid", pid);
                doc.put("group", bean.getName());
                doc.put("checkpoint", checkpoint);
                doc.put("base", base);
                doc.put("file", file.toString());
                doc.put("bytes", bytes);
                out().println(Json.write(doc));
            } else {
                out().printf("group '%s' in JVM %d wrote %s image of checkpoint %d%s to %s: %d bytes%n", bean.getName(), pid,
                        base == null ? "a full" : "an incremental", checkpoint, base == null ? "" : " over checkpoint " + base,
                        file, bytes);
            }
            out().flush();
            return Sls.OK;
        } catch (IOException e) {
            err().println("sls send: " + e.getMessage());
            return Sls.CANNOT_OPEN;
        }
    }

    @Override
    int run(OpenStore open) throws UsageError {
        if (pid != null) {
            throw new UsageError("give either DIR or --pid, not both");
        }
        if (output == null && json) {
            throw new UsageError("--json needs -o FILE: without it the image itself goes to standard output");
        }
        StoredCheckpoint cp = checkpoint(open, checkpoint);
        StoredCheckpoint from = base == null ? null : checkpoint(open, base);
        if (from != null && from.id() >= cp.id()) {
            throw new UsageError("an incremental image goes forward: --base " + from.id() + " is not older than "
                    + "checkpoint " + cp.id());
        }
        Path file = output == null ? null : output.toAbsolutePath().normalize();
        if (file != null && (Files.exists(file) || !Files.isDirectory(file.getParent()))) {
            throw new UsageError(file + (Files.exists(file) ? " exists: sls send does not overwrite a file"
                    : ": no such directory " + file.getParent()));
        }
        StoredCheckpoint written;
        try {
            if (file == null) {
                written = write(open, cp, from, parent.stdout);
            } else {
                // written aside and renamed: a failed send leaves no partial image that could be taken for one
                Path part = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".part");
                try {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                        written = write(open, cp, from, out);
                    }
                    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (file == null) {
            return Sls.OK; // standard output holds the image and nothing else
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", open.directory.toString());
            doc.put("checkpoint", cp.id());
            doc.put("base", from == null ? null : from.id());
            doc.put("file", file.toString());
            doc.put("bytes", written.bytes());
            out().println(Json.write(doc));
        } else {
            out().printf("wrote %s image of checkpoint %d%s to %s: %d bytes%n", from == null ? "a full" : "an incremental",
                    cp.id(), from == null ? "" : " over checkpoint " + from.id(), file, written.bytes());
        }
        return Sls.OK;
    }

    /** The image of {@code cp} (over {@code from} if not null) to {@code out}, which is flushed, not closed. */
    static StoredCheckpoint write(OpenStore open, StoredCheckpoint cp, StoredCheckpoint from, OutputStream out) {
        StoredState state = open.store.state(cp.id());
        if (from == null) {
            return Images.write(state, out);
        }
        try (CheckpointWriter w = Images.writer(out, cp.id(), from.id(), cp.label())) {
            StateDiff.diff(open.store.state(from.id()), state, new StateDiff.Changes() {
                @Override
                public void objectPut(StoredState.StoredObject o, StoredState.StoredObject before, boolean replaced) {
                    w.putObject(o.id(), o.kind(), o.value());
                }

                @Override
                public void objectRemoved(StoredState.StoredObject before) {
                    w.removeObject(before.id());
                }

                @Override
                public void entryPut(String id, byte[] key, byte[] before, byte[] after) {
                    w.putEntry(id, key, after);
                }

                @Override
                public void entryRemoved(String id, byte[] key, byte[] before) {
                    w.removeEntry(id, key);
                }

                @Override
                public void pagePut(String id, long index, DirectBuffer page, int length, boolean changed) {
                    w.putPage(id, index, page, 0, length);
                }
            });
            return w.commit();
        }
    }
}
