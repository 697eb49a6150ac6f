package io.aurora4j.cli;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A store directory opened for reading only, through {@link ReadOnlyIO}: the state an open would recover, with no
 * byte of the directory changed. While it is open no store can open the directory (this JVM's registry and the
 * shared OS locks keep one out), so what it shows cannot change underneath. Closing it changes nothing on disk.
 *
 * <p>Not thread-safe: one command uses it.
 */
final class OpenStore implements AutoCloseable {
    /** Why a directory could not be opened: the command exits with {@link Sls#CANNOT_OPEN}. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    final Path directory;
    final Store store;
    final ReadOnlyIO io;

    private OpenStore(Path directory, Store store, ReadOnlyIO io) {
        this.directory = directory;
        this.store = store;
        this.io = io;
    }

    /**
     * Opens {@code directory} read-only.
     *
     * @throws Refused                 if it is no store directory, or a live store holds it, or it cannot be read
     * @throws StoreCorruptedException if its records are damaged where recovery cannot explain it (verify reports
     *                                 this as damage; the other commands refuse)
     */
    static OpenStore open(Path directory) throws Refused {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new Refused(dir + ": no such directory", null);
        }
        if (!looksLikeStore(dir)) {
            throw new Refused(dir + ": not a store directory (no LOCK, HIGHWATER or segment-*.log file)", null);
        }
        ReadOnlyIO io = new ReadOnlyIO();
        try {
            // cleaning and background deletes off: no thread, no copy; every checkpoint recovery finds is shown,
            // whatever retention its owner configured (retention applies at the owner's next open or commit)
            Store store = Store.directoryBuilder(dir).io(io).cleaning(false).backgroundDeletes(false)
                    .retainCheckpoints(Integer.MAX_VALUE).open();
            return new OpenStore(dir, store, io);
        } catch (StoreCorruptedException e) {
            throw e;
        } catch (StoreException e) {
            String m = String.valueOf(e.getMessage());
            if (io.heldBy() != null || m.contains("another store")) {
                throw new Refused(dir + " is held by a live process (a store has it open"
                        + (io.heldBy() == null ? "" : ": " + io.heldBy().getFileName() + " is locked")
                        + "); sls reads a directory only while no store has it open. " + m, e);
            }
            throw new Refused(dir + ": cannot open the store: " + m, e);
        } catch (RuntimeException e) {
            throw new Refused(dir + ": cannot open the store: " + e, e);
        }
    }

    static boolean looksLikeStore(Path dir) throws Refused {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.equals("LOCK") || n.equals("HIGHWATER") || n.matches("segment-\\d{16}\\.log"));
        } catch (IOException e) {
            throw new Refused(dir + ": cannot list the directory: " + e, e);
        }
    }

    /** The segment files of the directory, oldest first. */
    List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.filter(p -> p.getFileName().toString().matches("segment-\\d{16}\\.log")).sorted().toList();
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
