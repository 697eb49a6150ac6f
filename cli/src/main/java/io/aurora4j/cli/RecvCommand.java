package io.aurora4j.cli;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageHeader;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.txn.Group;
import org.agrona.DirectBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code sls recv DIR [-i FILE]}: an image into a directory, all or nothing, through {@code Group.receive} (which
 * checks that a group can be built from it). Into a new (or empty) directory the image is received in a sibling
 * temporary directory that is renamed into place only once it holds the committed checkpoint; into a directory that
 * holds a store only an increment over its newest checkpoint is taken, after the whole image was read aside and its
 * framing and checksums checked. Not thread-safe: one invocation.
 */
@Command(name = "recv", mixinStandardHelpOptions = true,
        description = "Receive an image (from sls send or Group.send) from FILE or, without -i, standard input, into "
                + "DIR: a full image into a directory that does not exist or is empty (it becomes a store holding "
                + "that checkpoint), or an incremental image into the store DIR holds, over its newest checkpoint. "
                + "All or nothing: a truncated, damaged or unusable image leaves DIR as it was (exit 1). A full "
                + "image into a directory that holds a store is refused (exit 2): receive it into a new directory.")
final class RecvCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "the store directory to receive into")
    Path directory;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "read the image from FILE instead of "
            + "standard input")
    Path input;

    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;

    @Spec
    CommandSpec spec;

    @ParentCommand
    Sls parent;

    private final ImageLimits limits = ImageLimits.defaults();

    @Override
    public Integer call() throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        PrintWriter err = spec.commandLine().getErr();
        boolean store;
        try {
            store = Files.isDirectory(dir) && OpenStore.looksLikeStore(dir);
        } catch (OpenStore.Refused e) {
            err.println("sls recv: " + e.getMessage());
            return Sls.CANNOT_OPEN;
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            err.println("sls recv: " + dir + " exists and is not a directory");
            return Sls.USAGE;
        }
        if (!store && Files.isDirectory(dir) && !isEmpty(dir)) {
            err.println("sls recv: " + dir + " is neither empty nor a store directory: sls recv puts nothing there");
            return Sls.USAGE;
        }
        if (!Files.isDirectory(dir.getParent())) {
            err.println("sls recv: no such directory " + dir.getParent());
            return Sls.USAGE;
        }
        if (input != null && !Files.isRegularFile(input)) {
            err.println("sls recv: no such file " + input);
            return Sls.USAGE;
        }
        try (InputStream in = input == null ? new BufferedInputStream(parent.stdin, 1 << 16)
                : new BufferedInputStream(Files.newInputStream(input), 1 << 16)) {
            StoredCheckpoint cp = store ? intoStore(dir, in) : intoNewDirectory(dir, in);
            report(dir, cp);
            return Sls.OK;
        } catch (StoreCorruptedException e) {
            err.println("sls recv: the image is damaged, truncated or holds no group (" + e.getMessage() + "); "
                    + dir + " is as it was");
            return Sls.PROBLEM;
        } catch (IllegalArgumentException e) {
            err.println("sls recv: " + e.getMessage() + "; " + dir + " is as it was");
            return Sls.USAGE;
        } catch (Held e) {
            err.println("sls recv: " + e.getMessage());
            return Sls.CANNOT_OPEN;
        }
    }

    /** A full image into a new directory: received aside, renamed into place only once committed. */
    private StoredCheckpoint intoNewDirectory(Path dir, InputStream in) throws IOException {
        Path aside = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".recv-");
        try {
            Store s = Store.directory(aside);
            try {
                Group.receive(in, s, limits).close(); // the group owns the store now: closing it closes the store
            } catch (RuntimeException | Error e) {
                s.close();
                throw e;
            }
            StoredCheckpoint cp = newest(aside);
            if (Files.isDirectory(dir)) {
                Files.delete(dir); // empty (checked above); rename(2) would also replace it, Files.move does not
            }
            try {
                Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (DirectoryNotEmptyException | java.nio.file.FileAlreadyExistsException e) {
                throw new IllegalArgumentException(dir + " appeared while the image was received", e);
            }
            return cp;
        } finally {
            deleteTree(aside); // nothing left when it was moved
        }
    }

    /**
     * An increment into an existing store: read aside first (bounded by the image limit) and checked whole — the
     * header, every record's CRC32C and the trailer — so that a bad image is refused before the store is opened;
     * then received through {@code Group.receive}, whose own checks abort (and the store truncates away) anything
     * it refuses.
     */
    private StoredCheckpoint intoStore(Path dir, InputStream in) throws IOException {
        Path spool = Files.createTempFile("sls-recv-", ".image");
        try {
            try (OutputStream out = Files.newOutputStream(spool)) {
                long n = in.transferTo(new BoundedOutput(out, limits.maxTotalBytes()));
                if (n == 0) {
                    throw new StoreCorruptedException(null, 0, "the image is empty");
                }
            }
            ImageHeader[] header = new ImageHeader[1];
            try (InputStream check = new BufferedInputStream(Files.newInputStream(spool), 1 << 16)) {
                Images.read(check, limits, h -> {
                    header[0] = h;
                    if (h.isFull()) {
                        throw new IllegalArgumentException(dir + " already holds a store: sls recv takes only an "
                                + "incremental image into it (over its newest checkpoint), and this one is full "
                                + "(checkpoint " + h.checkpointId() + "); receive it into a new directory");
                    }
                    return new Discard(h);
                });
            }
            Store s;
            try {
                s = Store.directory(dir);
            } catch (StoreCorruptedException e) {
                throw new Held(dir + ": the store does not open: " + e.getMessage(), e);
            } catch (StoreException e) {
                throw new Held(dir + " cannot be opened (held by a live process?): " + e.getMessage(), e);
            }
            try (InputStream again = new BufferedInputStream(Files.newInputStream(spool), 1 << 16)) {
                Group.receive(again, s, limits).close();
            } catch (RuntimeException | Error e) {
                s.close();
                throw e;
            }
            return newest(dir);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static StoredCheckpoint newest(Path dir) {
        try (OpenStore open = OpenStore.open(dir)) {
            return open.store.lastDurable().orElseThrow();
        } catch (OpenStore.Refused e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void report(Path dir, StoredCheckpoint cp) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", dir.toString());
            doc.put("checkpoint", cp.id());
            doc.put("base", cp.isFull() ? null : cp.baseId());
            doc.put("label", cp.label());
            out.println(Json.write(doc));
        } else {
            out.printf("%s: received %s checkpoint %d%s%s%n", dir, cp.isFull() ? "full" : "incremental", cp.id(),
                    cp.isFull() ? "" : " over " + cp.baseId(), cp.label() == null ? "" : " '" + cp.label() + "'");
        }
        out.flush();
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
    }

    /** The store directory is held by a live process or does not open: exit {@link Sls#CANNOT_OPEN}. */
    private static final class Held extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Held(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Stops copying an image past the image size limit: the spool stays bounded. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private final long max;
        private long written;

        BoundedOutput(OutputStream out, long max) {
            this.out = out;
            this.max = max;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > max) {
                throw new io.aurora4j.store.ImageLimitException(written, "maxTotalBytes",
                        "an image of more than " + max + " bytes");
            }
            written += len;
            out.write(b, off, len);
        }
    }

    /** Takes an image's records and keeps none: reading through it checks framing, checksums and the trailer. */
    private static final class Discard implements CheckpointWriter {
        private final ImageHeader header;

        Discard(ImageHeader header) {
            this.header = header;
        }

        @Override
        public long id() {
            return header.checkpointId();
        }

        @Override
        public void putObject(String id, byte kind, byte[] value) {
        }

        @Override
        public void removeObject(String id) {
        }

        @Override
        public void putEntry(String id, byte[] key, byte[] value) {
        }

        @Override
        public void removeEntry(String id, byte[] key) {
        }

        @Override
        public void putPage(String id, long index, DirectBuffer src, int offset, int length) {
        }

        @Override
        public StoredCheckpoint commit() {
            return new StoredCheckpoint(header.checkpointId(), header.baseId(), header.label(), 0, 0);
        }

        @Override
        public void abort() {
        }

        @Override
        public void close() {
        }
    }
}
