package io.aurora4j.store.testing;

import io.aurora4j.store.StoreIO;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory {@link StoreIO} that behaves like a disk under a power cut (LevelDB's fault-injection
 * {@code Env}, Lucene's {@code MockDirectoryWrapper.crash()}): it keeps, per file, what was forced apart from
 * what was written since, and per directory, which entries were made durable by a directory force.
 *
 * <ul>
 *   <li>{@link #powerCut(CutMode)} keeps only what was forced — file data and directory entries (a creation,
 *       rename or deletion not followed by {@link #forceDirectory} is undone) — and, depending on the mode, a
 *       torn prefix of the unforced writes ({@link CutMode#TEAR}) or a random subset of them, later ones
 *       surviving earlier ones ({@link CutMode#REORDER}). The "process" is dead afterwards: every call fails
 *       until {@link #powerOn()}, and handles opened before the cut stay dead.</li>
 *   <li>{@link #cutPowerAfter(int, CutMode)} cuts the power just before the n-th mutating call
 *       (write, truncate, force, directory force, rename, delete, file creation), which lets a test crash a
 *       store at every point of its work.</li>
 *   <li>{@link #failOn(Op, int, boolean)} throws an {@link IOException} at the n-th call of an operation,
 *       once or from then on.</li>
 *   <li>A hostile operator or file system: {@link #operatorDelete}, {@link #operatorRename},
 *       {@link #operatorPut} (a stray or copied file), {@link #operatorTruncate} act behind the store's back,
 *       durably and at once, even on files it holds open (its handles keep the old inode, as on POSIX);
 *       deleting a lock file frees its name for a new lock, as deleting {@code LOCK} does;
 *       {@link #readOnly(boolean)} makes every open for writing, lock and mutation fail as a read-only
 *       remount does. {@link #hostileCount} counts them per {@link Hostile} class.</li>
 *   <li>{@link #startRecording()} / {@link #stopRecording()} log the mutating calls as {@link Event}s, and
 *       {@link Image} applies any sequence of them to a copy of the disk: crash states are built by
 *       choosing which events happened.</li>
 * </ul>
 * Directories are modelled only as names: {@link #createDirectories} is durable at once.
 *
 * <p>The oracle of a test lives outside this class: it only models the disk. Thread-safe (every method
 * locks the instance; nothing inside blocks).
 */
public final class FaultInjectingIO implements StoreIO {

    /** The operations, for counting and fault injection. */
    public enum Op { OPEN, EXISTS, LIST, CREATE_DIRECTORIES, FORCE_DIRECTORY, RENAME, DELETE, LOCK, READ, WRITE, SIZE,
        FORCE, TRUNCATE, CLOSE }

    /** The hostile acts, for counting. */
    public enum Hostile { DELETE, RENAME, PUT, TRUNCATE, READ_ONLY }

    /** What survives of unforced writes at a power cut. */
    public enum CutMode {
        /** Nothing unforced survives. */
        LOSE_UNFORCED,
        /** A prefix of the unforced writes survives, the last of them torn (a random prefix of its bytes). */
        TEAR,
        /** A random subset of the unforced writes survives, the last survivor possibly torn. */
        REORDER
    }

    /** One mutating call, as recorded. */
    public sealed interface Event {
        /** A file was created (opened with create and did not exist). @param path the file */
        record Create(Path path) implements Event {
        }

        /** Bytes were written. @param path the file @param offset where @param bytes what */
        record Write(Path path, long offset, byte[] bytes) implements Event {
            @Override
            public String toString() {
                return "Write[" + path.getFileName() + " @" + offset + " +" + bytes.length + "]";
            }
        }

        /** A file was truncated. @param path the file @param size its new size */
        record Truncate(Path path, long size) implements Event {
        }

        /** A file was forced. @param path the file */
        record Force(Path path) implements Event {
        }

        /** A directory was forced. @param directory the directory */
        record ForceDirectory(Path directory) implements Event {
        }

        /** A file was renamed. @param from old name @param to new name */
        record Rename(Path from, Path to) implements Event {
        }

        /** A file was deleted. @param path the file */
        record Delete(Path path) implements Event {
        }
    }

    private static final class Inode {
        byte[] data = new byte[0];
        int size;
        byte[] durable = new byte[0];
        final List<Pending> pending = new ArrayList<>();
        Path path;
    }

    /** An unforced write (bytes != null) or truncation. */
    private record Pending(long offset, byte[] bytes, long truncateTo) {
    }

    private record Fault(Op op, long at, boolean persistent) {
    }

    private final Random random;
    private final Map<Path, Inode> files = new HashMap<>();
    private final Map<Path, Inode> durableFiles = new HashMap<>();
    private final Set<Path> directories = new HashSet<>();
    private final Set<Object> locks = new HashSet<>(); // the identities of locked lock files
    private final Map<Path, Object> lockFiles = new HashMap<>(); // a lock file's identity (its "inode") by name
    private boolean readOnly;
    private final EnumMap<Hostile, Long> hostile = new EnumMap<>(Hostile.class);
    private final EnumMap<Op, Long> calls = new EnumMap<>(Op.class);
    private final List<Fault> faults = new ArrayList<>();
    private List<Event> recording;
    private long mutations;
    private long cutAt = -1;
    private CutMode cutMode;
    private int generation;
    private boolean powerOff;

    /** A blank disk; {@code seed} drives torn and reordered writes. */
    public FaultInjectingIO(long seed) {
        this.random = new Random(seed);
    }

    /** A disk holding {@code image}, all of it durable. */
    public static FaultInjectingIO of(Image image, long seed) {
        FaultInjectingIO io = new FaultInjectingIO(seed);
        io.directories.addAll(image.directories);
        image.files.forEach((p, bytes) -> {
            Inode i = new Inode();
            i.data = bytes.clone();
            i.size = bytes.length;
            i.durable = bytes.clone();
            i.path = p;
            io.files.put(p, i);
            io.durableFiles.put(p, i);
        });
        return io;
    }

    // ------------------------------------------------------------------------------------------- control

    /** Throws an {@link IOException} at the {@code nth} (1-based, counted from now) call of {@code op}, and at every later one if {@code persistent}. */
    public synchronized void failOn(Op op, int nth, boolean persistent) {
        faults.add(new Fault(op, count(op) + nth, persistent));
    }

    /** Removes every injected fault and any pending power cut. */
    public synchronized void heal() {
        faults.clear();
        cutAt = -1;
    }

    /** Calls of {@code op} so far. */
    public synchronized long count(Op op) {
        return calls.getOrDefault(op, 0L);
    }

    /** Mutating calls so far (what {@link #cutPowerAfter} counts). */
    public synchronized long mutations() {
        return mutations;
    }

    /** Cuts the power just before the {@code n}-th mutating call from now (1-based); that call fails. */
    public synchronized void cutPowerAfter(int n, CutMode mode) {
        cutAt = mutations + n;
        cutMode = mode;
    }

    /** Whether the power is off (a cut happened and {@link #powerOn()} was not called). */
    public synchronized boolean isPowerOff() {
        return powerOff;
    }

    /** Cuts the power now, losing everything not forced ({@link CutMode#LOSE_UNFORCED}). */
    public void powerCut() {
        powerCut(CutMode.LOSE_UNFORCED);
    }

    /** Cuts the power now: see the class comment. */
    public synchronized void powerCut(CutMode mode) {
        Map<Inode, byte[]> survived = new HashMap<>();
        for (Inode i : durableFiles.values()) {
            if (!survived.containsKey(i)) {
                survived.put(i, survivingBytes(i, mode));
            }
        }
        files.clear();
        for (Map.Entry<Path, Inode> e : durableFiles.entrySet()) {
            Inode i = e.getValue();
            byte[] b = survived.get(i);
            i.data = b.clone();
            i.size = b.length;
            i.durable = b.clone();
            i.pending.clear();
            i.path = e.getKey();
            files.put(e.getKey(), i);
        }
        locks.clear();
        generation++;
        powerOff = true;
        cutAt = -1;
    }

    // ------------------------------------------------------------------------------------ hostile operator

    /** Deletes {@code file} behind the store's back, durably (open handles keep the old inode). */
    public synchronized void operatorDelete(Path file) {
        count(Hostile.DELETE);
        Inode i = files.remove(file);
        durableFiles.remove(file);
        lockFiles.remove(file);
        if (i != null) {
            i.path = null;
        }
    }

    /** Renames {@code from} to {@code to} behind the store's back, durably, replacing {@code to}. */
    public synchronized void operatorRename(Path from, Path to) {
        count(Hostile.RENAME);
        Inode i = files.remove(from);
        durableFiles.remove(from);
        if (i == null) {
            throw new IllegalArgumentException("no file " + from);
        }
        Inode replaced = files.put(to, i);
        if (replaced != null) {
            replaced.path = null;
        }
        durableFiles.put(to, i);
        i.path = to;
    }

    /** Puts a file of {@code bytes} at {@code file} (a new inode, replacing any), durably. */
    public synchronized void operatorPut(Path file, byte[] bytes) {
        count(Hostile.PUT);
        Inode i = new Inode();
        i.data = bytes.clone();
        i.size = bytes.length;
        i.durable = bytes.clone();
        i.path = file;
        Inode replaced = files.put(file, i);
        if (replaced != null) {
            replaced.path = null;
        }
        durableFiles.put(file, i);
    }

    /** Cuts {@code file} to {@code size} bytes, durably, as a copy or a restore that stopped short would. */
    public synchronized void operatorTruncate(Path file, long size) {
        count(Hostile.TRUNCATE);
        Inode i = files.get(file);
        if (i == null || size > i.size) {
            throw new IllegalArgumentException("cannot cut " + file + " to " + size);
        }
        i.size = (int) size;
        i.data = Arrays.copyOf(i.data, (int) size);
        i.durable = Arrays.copyOf(i.durable, (int) Math.min(size, i.durable.length));
    }

    /** The current bytes of {@code file}, or null if there is none. */
    public synchronized byte[] bytes(Path file) {
        Inode i = files.get(file);
        return i == null ? null : Arrays.copyOf(i.data, i.size);
    }

    /**
     * Remounts read-only ({@code true}) or read-write: while read-only, every open (the store opens for reading
     * and writing), lock and mutating call fails with the file system's "Read-only file system".
     */
    public synchronized void readOnly(boolean on) {
        if (on) {
            count(Hostile.READ_ONLY);
        }
        readOnly = on;
    }

    /** How many hostile acts of {@code kind} this disk has suffered. */
    public synchronized long hostileCount(Hostile kind) {
        return hostile.getOrDefault(kind, 0L);
    }

    private void count(Hostile kind) {
        hostile.merge(kind, 1L, Long::sum);
    }

    /** Turns the power back on: a new "process" may open the files. */
    public synchronized void powerOn() {
        powerOff = false;
    }

    /** Starts recording mutating calls. */
    public synchronized void startRecording() {
        recording = new ArrayList<>();
    }

    /** Stops recording and returns the events since {@link #startRecording()}. */
    public synchronized List<Event> stopRecording() {
        List<Event> r = recording;
        recording = null;
        return r;
    }

    /** A copy of what a process sees now (forced or not). */
    public synchronized Image image() {
        Image img = new Image();
        img.directories.addAll(directories);
        files.forEach((p, i) -> img.files.put(p, Arrays.copyOf(i.data, i.size)));
        return img;
    }

    private byte[] survivingBytes(Inode i, CutMode mode) {
        byte[] d = i.durable.clone();
        List<Pending> apply = new ArrayList<>();
        switch (mode) {
            case LOSE_UNFORCED -> {
            }
            case TEAR -> apply.addAll(i.pending.subList(0, random.nextInt(i.pending.size() + 1)));
            case REORDER -> {
                for (Pending p : i.pending) {
                    if (random.nextBoolean()) {
                        apply.add(p);
                    }
                }
            }
        }
        for (int k = 0; k < apply.size(); k++) {
            Pending p = apply.get(k);
            if (p.bytes() == null) {
                d = Arrays.copyOf(d, (int) Math.min(d.length, p.truncateTo()));
            } else {
                byte[] bytes = p.bytes();
                if (k == apply.size() - 1 && mode != CutMode.LOSE_UNFORCED && random.nextBoolean()) {
                    bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // torn
                }
                d = writeInto(d, p.offset(), bytes);
            }
        }
        return d;
    }

    private static byte[] writeInto(byte[] d, long offset, byte[] bytes) {
        int end = (int) offset + bytes.length;
        if (end > d.length) {
            d = Arrays.copyOf(d, end);
        }
        System.arraycopy(bytes, 0, d, (int) offset, bytes.length);
        return d;
    }

    // ------------------------------------------------------------------------------------------- StoreIO

    private void enter(Op op, boolean mutating) throws IOException {
        if (powerOff) {
            throw new IOException("injected: the power is off");
        }
        long n = calls.merge(op, 1L, Long::sum);
        if (readOnly && (mutating || op == Op.OPEN || op == Op.LOCK)) {
            throw new java.nio.file.FileSystemException(op + ": Read-only file system (injected)");
        }
        for (Fault f : faults) {
            if (f.op() == op && (n == f.at() || (f.persistent() && n > f.at()))) {
                throw new IOException("injected failure of " + op + " call " + n);
            }
        }
        if (mutating) {
            mutations++;
            if (cutAt >= 0 && mutations >= cutAt) {
                powerCut(cutMode);
                throw new IOException("injected: power cut before " + op);
            }
        }
    }

    private void record(Event e) {
        if (recording != null) {
            recording.add(e);
        }
    }

    @Override
    public synchronized FileHandle open(Path file, boolean create) throws IOException {
        Inode i = files.get(file);
        enter(Op.OPEN, create && i == null);
        if (i == null) {
            if (!create) {
                throw new NoSuchFileException(file.toString());
            }
            if (!directories.contains(file.getParent())) {
                throw new NoSuchFileException(file.getParent().toString());
            }
            i = new Inode();
            i.path = file;
            files.put(file, i);
            record(new Event.Create(file));
        }
        return new Handle(i, generation);
    }

    @Override
    public synchronized boolean exists(Path file) throws IOException {
        enter(Op.EXISTS, false);
        return files.containsKey(file) || directories.contains(file);
    }

    @Override
    public synchronized List<String> list(Path directory) throws IOException {
        enter(Op.LIST, false);
        if (!directories.contains(directory)) {
            throw new NoSuchFileException(directory.toString());
        }
        List<String> names = new ArrayList<>();
        for (Path p : files.keySet()) {
            if (directory.equals(p.getParent())) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    @Override
    public synchronized void createDirectories(Path directory) throws IOException {
        enter(Op.CREATE_DIRECTORIES, false);
        for (Path p = directory; p != null; p = p.getParent()) {
            directories.add(p);
        }
    }

    @Override
    public synchronized void forceDirectory(Path directory) throws IOException {
        enter(Op.FORCE_DIRECTORY, true);
        durableFiles.keySet().removeIf(p -> directory.equals(p.getParent()) && !files.containsKey(p));
        files.forEach((p, i) -> {
            if (directory.equals(p.getParent())) {
                durableFiles.put(p, i);
            }
        });
        record(new Event.ForceDirectory(directory));
    }

    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        enter(Op.RENAME, true);
        Inode i = files.remove(from);
        if (i == null) {
            throw new NoSuchFileException(from.toString());
        }
        Inode replaced = files.put(to, i);
        if (replaced != null) {
            replaced.path = null;
        }
        i.path = to;
        record(new Event.Rename(from, to));
    }

    @Override
    public synchronized void delete(Path file) throws IOException {
        enter(Op.DELETE, true);
        Inode i = files.remove(file);
        lockFiles.remove(file);
        if (i != null) {
            i.path = null;
            record(new Event.Delete(file));
        }
    }

    @Override
    public synchronized Closeable tryLock(Path file) throws IOException {
        enter(Op.LOCK, false);
        // A lock belongs to the file, not to its name: once the file is deleted the name can be locked anew.
        Object identity = lockFiles.computeIfAbsent(file, f -> new Object());
        if (!locks.add(identity)) {
            return null;
        }
        int gen = generation;
        return () -> {
            synchronized (FaultInjectingIO.this) {
                if (gen == generation) {
                    locks.remove(identity);
                }
            }
        };
    }

    private final class Handle implements FileHandle {
        private final Inode inode;
        private final int gen;
        private boolean closed;

        Handle(Inode inode, int gen) {
            this.inode = inode;
            this.gen = gen;
        }

        private void check(Op op, boolean mutating) throws IOException {
            enter(op, mutating);
            if (gen != generation) {
                throw new IOException("injected: this handle died in a power cut");
            }
            if (closed) {
                throw new IOException("closed");
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (FaultInjectingIO.this) {
                check(Op.READ, false);
                if (position >= inode.size) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), inode.size - position);
                dst.put(inode.data, (int) position, n);
                return n;
            }
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            synchronized (FaultInjectingIO.this) {
                check(Op.WRITE, true);
                byte[] bytes = new byte[src.remaining()];
                src.get(bytes);
                long end = position + bytes.length;
                if (end > Integer.MAX_VALUE - 16) {
                    throw new IOException("injected disk holds files up to 2 GiB");
                }
                if (end > inode.data.length) {
                    inode.data = Arrays.copyOf(inode.data, (int) Math.max(end, inode.data.length * 2L));
                }
                if (position > inode.size) {
                    Arrays.fill(inode.data, inode.size, (int) position, (byte) 0);
                }
                System.arraycopy(bytes, 0, inode.data, (int) position, bytes.length);
                inode.size = (int) Math.max(inode.size, end);
                inode.pending.add(new Pending(position, bytes, -1));
                if (inode.path != null) {
                    record(new Event.Write(inode.path, position, bytes));
                }
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultInjectingIO.this) {
                check(Op.SIZE, false);
                return inode.size;
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (FaultInjectingIO.this) {
                check(Op.FORCE, true);
                inode.durable = Arrays.copyOf(inode.data, inode.size);
                inode.pending.clear();
                if (inode.path != null) {
                    record(new Event.Force(inode.path));
                }
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (FaultInjectingIO.this) {
                check(Op.TRUNCATE, true);
                if (size < inode.size) {
                    inode.size = (int) size;
                    inode.pending.add(new Pending(0, null, size));
                    if (inode.path != null) {
                        record(new Event.Truncate(inode.path, size));
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (FaultInjectingIO.this) {
                if (closed) {
                    return;
                }
                closed = true;
                enter(Op.CLOSE, false);
            }
        }
    }

    /**
     * The content of a disk: files and directories. Mutable; {@link #apply} replays recorded events onto a
     * copy. Not thread-safe.
     */
    public static final class Image {
        private final Map<Path, byte[]> files = new TreeMap<>();
        private final Set<Path> directories = new HashSet<>();

        /** The files, by path; the arrays may be changed in place. */
        public Map<Path, byte[]> files() {
            return files;
        }

        /** A deep copy. */
        public Image copy() {
            Image c = new Image();
            c.directories.addAll(directories);
            files.forEach((p, b) -> c.files.put(p, b.clone()));
            return c;
        }

        /**
         * A copy with {@code events} applied as if all of them had reached the disk (forces are no-ops;
         * writes to a file that does not exist are dropped). {@code tornLast}, if not negative, cuts the last
         * event — which must then be a write — to that many bytes.
         */
        public Image apply(List<Event> events, int tornLast) {
            Image c = copy();
            for (int k = 0; k < events.size(); k++) {
                Event e = events.get(k);
                switch (e) {
                    case Event.Create cr -> c.files.putIfAbsent(cr.path(), new byte[0]);
                    case Event.Write w -> {
                        byte[] d = c.files.get(w.path());
                        if (d != null) {
                            byte[] bytes = k == events.size() - 1 && tornLast >= 0
                                    ? Arrays.copyOf(w.bytes(), tornLast) : w.bytes();
                            c.files.put(w.path(), writeInto(d, w.offset(), bytes));
                        }
                    }
                    case Event.Truncate t -> {
                        byte[] d = c.files.get(t.path());
                        if (d != null && d.length > t.size()) {
                            c.files.put(t.path(), Arrays.copyOf(d, (int) t.size()));
                        }
                    }
                    case Event.Rename r -> {
                        byte[] d = c.files.remove(r.from());
                        if (d != null) {
                            c.files.put(r.to(), d);
                        }
                    }
                    case Event.Delete d -> c.files.remove(d.path());
                    case Event.Force f -> {
                    }
                    case Event.ForceDirectory f -> {
                    }
                }
            }
            return c;
        }

        @Override
        public String toString() {
            Map<String, Integer> sizes = new LinkedHashMap<>();
            files.forEach((p, b) -> sizes.put(p.getFileName().toString(), b.length));
            return "Image" + sizes;
        }
    }
}
