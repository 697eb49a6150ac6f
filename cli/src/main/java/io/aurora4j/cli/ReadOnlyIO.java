package io.aurora4j.cli;

import io.aurora4j.store.StoreIO;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The file system as the store sees it through {@code sls}: files are read from the directory, and whatever the
 * store writes while it opens and closes (a torn tail cut at recovery, {@code HIGHWATER} rewritten at close, an
 * empty segment deleted) goes to memory and is forgotten. A read-only command therefore never changes a byte of
 * the directory, nor creates or deletes a file in it, whatever recovery decides — and it sees the state an open
 * would recover.
 *
 * <p>Locks: {@link #tryLock} takes a <em>shared</em> OS lock on an existing file through a read-only channel,
 * which fails while a live store holds its exclusive lock (on {@code LOCK} or on its newest segment): the open
 * then refuses, and {@link #heldBy()} names the file. A missing file is not created: there is nothing to lock.
 * The store's same-JVM registry refuses before any file is opened when a store of this JVM holds the directory.
 *
 * <p>Writes into an existing file are refused with an {@link IOException} (the store only does that when writing
 * a checkpoint, which {@code sls} never begins). Thread-safe.
 */
final class ReadOnlyIO implements StoreIO {
    /** Files the store created or replaced, in memory only. */
    private final Map<Path, MemoryFile> memory = new ConcurrentHashMap<>();
    /** Files of the directory the store deleted: hidden from it. */
    private final Set<Path> deleted = ConcurrentHashMap.newKeySet();
    /** Files of the directory the store cut (a torn tail): their length as it sees it. */
    private final Map<Path, Long> cut = new ConcurrentHashMap<>();
    private volatile Path heldBy;

    /** The file whose lock a live store holds, or null if no lock was refused. */
    Path heldBy() {
        return heldBy;
    }

    /**
     * What recovery did to files of the directory, kept in memory only (an owner's open would do it on disk):
     * a torn tail cut, an empty segment deleted. Empty for a store closed cleanly.
     */
    List<String> recoveryChanges() {
        List<String> changes = new ArrayList<>();
        cut.forEach((p, size) -> changes.add("cut " + p.getFileName() + " to " + size + " bytes (a torn tail)"));
        deleted.forEach(p -> changes.add("deleted " + p.getFileName()));
        changes.sort(null);
        return changes;
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    private boolean onDisk(Path k) {
        return !deleted.contains(k) && !memory.containsKey(k) && Files.isRegularFile(k);
    }

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        Path k = key(file);
        MemoryFile m = memory.get(k);
        if (m != null) {
            return m;
        }
        if (onDisk(k)) {
            return new DiskFile(k, FileChannel.open(k, StandardOpenOption.READ));
        }
        if (!create) {
            throw new NoSuchFileException(file.toString());
        }
        return memory.computeIfAbsent(k, x -> new MemoryFile());
    }

    @Override
    public boolean exists(Path file) {
        Path k = key(file);
        return memory.containsKey(k) || onDisk(k);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        Path d = key(directory);
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(d)) {
            s.filter(p -> !deleted.contains(key(p))).forEach(p -> names.add(p.getFileName().toString()));
        }
        for (Path p : memory.keySet()) {
            if (d.equals(p.getParent()) && !names.contains(p.getFileName().toString())) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "no such store directory (sls creates none)");
        }
    }

    @Override
    public void forceDirectory(Path directory) {
        // nothing reaches the disk
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Path f = key(from);
        Path t = key(to);
        MemoryFile m = memory.remove(f);
        if (m == null) {
            throw new IOException("sls is read-only: the store tried to rename " + from + ", a file of the directory");
        }
        memory.put(t, m);
        cut.remove(t);
    }

    @Override
    public void delete(Path file) {
        Path k = key(file);
        if (memory.remove(k) == null && Files.exists(k)) {
            deleted.add(k);
        }
    }

    @Override
    public Closeable tryLock(Path file) throws IOException {
        Path k = key(file);
        if (!onDisk(k)) {
            return () -> { };
        }
        FileChannel ch = FileChannel.open(k, StandardOpenOption.READ);
        FileLock lock;
        try {
            lock = ch.tryLock(0, Long.MAX_VALUE, true);
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it (the store's registry normally refuses before this)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            heldBy = k;
            return null;
        }
        FileLock held = lock;
        return () -> {
            try {
                held.release();
            } finally {
                ch.close();
            }
        };
    }

    /** A file of the directory, read through a read-only channel; a cut shortens it for the store only. */
    private final class DiskFile implements FileHandle {
        private final Path path;
        private final FileChannel channel;

        DiskFile(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            long size = size();
            if (position >= size) {
                return -1;
            }
            if (dst.remaining() > size - position) {
                ByteBuffer slice = dst.slice(dst.position(), (int) (size - position));
                int n = channel.read(slice, position);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
            return channel.read(dst, position);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            throw new IOException("sls is read-only: the store tried to write " + path);
        }

        @Override
        public long size() throws IOException {
            return Math.min(channel.size(), cut.getOrDefault(path, Long.MAX_VALUE));
        }

        @Override
        public void force() {
            // nothing was written
        }

        @Override
        public void truncate(long size) throws IOException {
            if (size < size()) {
                cut.put(path, size);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A small file the store wrote (HIGHWATER, FLOOR, their temporaries), kept in memory. */
    private static final class MemoryFile implements FileHandle {
        private byte[] bytes = new byte[0];

        @Override
        public synchronized int read(ByteBuffer dst, long position) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, (int) position, n);
            return n;
        }

        @Override
        public synchronized void write(ByteBuffer src, long position) throws IOException {
            long end = position + src.remaining();
            if (end > 1 << 20) {
                throw new IOException("sls keeps at most 1 MiB of the store's own writes in memory");
            }
            if (end > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, (int) end);
            }
            src.get(bytes, (int) position, src.remaining());
        }

        @Override
        public synchronized long size() {
            return bytes.length;
        }

        @Override
        public void force() {
        }

        @Override
        public synchronized void truncate(long size) {
            if (size < bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, (int) size);
            }
        }

        @Override
        public void close() {
        }
    }
}
