package io.aurora4j.store.internal;

import io.aurora4j.store.StoreIO;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link StoreIO} over the real file system with {@link FileChannel}. Stateless and thread-safe; a handle
 * allows concurrent positional reads and writes (FileChannel's positional operations do).
 */
public final class FileSystemIO implements StoreIO {
    /** The one instance. */
    public static final FileSystemIO INSTANCE = new FileSystemIO();

    private FileSystemIO() {
    }

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        FileChannel channel = create
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Handle(channel);
    }

    @Override
    public boolean exists(Path file) {
        return Files.exists(file);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(directory)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        Files.createDirectories(directory);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        // Works on Linux and macOS; Windows cannot open a directory as a channel and has no need to.
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public Closeable tryLock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return null;
        }
        try {
            return new HeldLock(file, channel, lock, fileKey(file));
        } catch (IOException | RuntimeException e) { // the file went between open and lock: not held
            channel.close();
            throw e;
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * A lock taken by {@link #tryLock}, which remembers the file (inode) it locked so that the store can
     * notice an operator deleting or replacing the lock file while it is held: the OS lock stays on the old
     * inode, and a second opener would lock the new file undisturbed. Thread-safe.
     */
    static final class HeldLock implements Closeable {
        private final Path path;
        private final FileChannel channel;
        private final FileLock lock;
        private final Object key;

        HeldLock(Path path, FileChannel channel, FileLock lock, Object key) {
            this.path = path;
            this.channel = channel;
            this.lock = lock;
            this.key = key;
        }

        /**
         * Whether {@code path} still names the locked file. True when the platform has no file keys (nothing
         * can be checked there); false when the file is gone or another file has taken its name.
         */
        boolean stillNamed() {
            if (key == null) {
                return true;
            }
            try {
                return key.equals(fileKey(path));
            } catch (IOException gone) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private record Handle(FileChannel channel) implements FileHandle {
        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return channel.read(dst, position);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            long p = position;
            while (src.hasRemaining()) {
                p += channel.write(src, p);
            }
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void force() throws IOException {
            channel.force(true);
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
