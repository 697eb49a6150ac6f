package io.aurora4j.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Shared set-up of the D benchmarks (the durable store): data directories and a plain-file baseline.
 *
 * <p>Data directories are created under the system property {@code aurora4j.bench.dir} (default
 * {@code java.io.tmpdir}), so every contender of a run writes to the same file system; pass
 * {@code -jvmArgsAppend -Daurora4j.bench.dir=/some/dir} to measure another disk. Each trial deletes its
 * directory in its tear-down.
 */
final class DurableDirs {
    static final int MIB = 1 << 20;

    private DurableDirs() {
    }

    /** The base directory the D benchmarks write under. */
    static Path base() {
        return Path.of(System.getProperty("aurora4j.bench.dir", System.getProperty("java.io.tmpdir")));
    }

    /** A new empty directory under {@link #base()}. */
    static Path create(String prefix) {
        try {
            Files.createDirectories(base());
            return Files.createTempDirectory(base(), "aurora4j-" + prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything under it; nothing if it is null or gone. */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of the files under {@code dir}. */
    static long size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            long n = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                n += Files.size(p);
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * The disk baseline: what the directory store does to the file system for one checkpoint, without the
     * store — appends through 1 MiB positional writes from a direct buffer to a file of at most 64 MiB
     * (a new file, made durable by a directory force, when the current one is full, as the store rolls its
     * segments), then one {@code force(true)}; files beyond the newest four are deleted, one directory force
     * each (as compaction does). The bytes are random, so nothing is compressible.
     */
    static final class AppendFiles implements AutoCloseable {
        static final long FILE_BYTES = 64L * MIB;

        private final Path dir;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(MIB);
        private final ArrayDeque<Path> files = new ArrayDeque<>();
        private FileChannel channel;
        private long position;
        private int next;

        AppendFiles(Path dir) {
            this.dir = dir;
            byte[] random = new byte[MIB];
            new SplittableRandom(42).nextBytes(random);
            buffer.put(random).flip();
        }

        /** Appends {@code bytes} (a multiple of 1 MiB) and forces the file once; returns the bytes written. */
        long appendAndForce(long bytes) throws IOException {
            if (channel == null || position >= FILE_BYTES) {
                roll();
            }
            for (long done = 0; done < bytes; done += MIB) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
            }
            channel.force(true);
            return bytes;
        }

        /**
         * Appends {@code bytes} (at most 1 MiB) and forces the file: one small synchronous write. The file
         * restarts empty (truncated) every 64 MiB.
         */
        void appendSmallAndForce(int bytes) throws IOException {
            if (channel == null) {
                roll();
            } else if (position >= FILE_BYTES) {
                channel.truncate(0);
                position = 0;
            }
            buffer.clear().limit(bytes);
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(true);
        }

        private void roll() throws IOException {
            if (channel != null) {
                channel.close();
            }
            Path file = dir.resolve(String.format("file-%08d.dat", next++));
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            position = 0;
            files.addLast(file);
            forceDirectory(dir);
            while (files.size() > 4) {
                Files.delete(files.removeFirst());
                forceDirectory(dir);
            }
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
