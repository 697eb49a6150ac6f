package io.aurora4j.modelchecks.matrix;

import io.aurora4j.speculation.Speculation;
import io.aurora4j.store.DirectoryStoreBuilder;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.CheckpointView;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.GroupBuilder;
import io.aurora4j.txn.Region;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import io.aurora4j.txn.TRef;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs one generated operation list against a group and the oracle: plain Java values ({@link State}) for the live
 * state, for every retained checkpoint the oracle knows (by id), for the newest durable checkpoint and for the
 * durable log. After every operation the live state and every retained checkpoint's view are compared with the
 * oracle (regions too, except in a lazy configuration, where reading would load the restored pages: there only
 * {@code TOUCH}, {@code fork}, {@code send} and the end read them). At the end the group is closed and, if durable,
 * reopened and compared once more. Not thread-safe: one sequence runs on one thread.
 */
final class Sequence {
    static final int PAGE = 8192;
    static final int PAGES = 8;
    static final int LONGS = 3;
    static final int KEYS = 6;
    private static final String NAME = "matrix";
    /** {@code -Dmatrix.trace=true}: print each operation and what it resolved to (rollback targets, outcomes). */
    private static final boolean TRACE = Boolean.getBoolean("matrix.trace");

    /** The oracle's picture of a group state. */
    static final class State {
        final long[] longs = new long[LONGS];
        String ref = "r0";
        final TreeMap<String, String> map = new TreeMap<>();
        final byte[] heap = new byte[PAGES * PAGE];

        State copy() {
            State s = new State();
            System.arraycopy(longs, 0, s.longs, 0, LONGS);
            s.ref = ref;
            s.map.putAll(map);
            System.arraycopy(heap, 0, s.heap, 0, heap.length);
            return s;
        }
    }

    private final Spec spec;
    private final long seed;
    private final List<Op> ops;
    private Path dir;
    private Store store;
    private Group g;
    private final TLong[] longs = new TLong[LONGS];
    private TRef<String> ref;
    private TMap<String, String> map;
    private Region heap;

    private State live = new State();
    /** What every checkpoint the oracle knows holds, by id. */
    private final Map<Long, State> known = new HashMap<>();
    private final List<byte[]> logged = new ArrayList<>();
    private Speculation speculation;
    private State atSpeculation;
    /** A rollback went to (or below) the pending speculation's checkpoint: its outcome is no longer certain. */
    private boolean speculationUndone;
    private int index;
    /** The newest checkpoint the oracle knows is on disk (a barrier's, or the one a reopen recovered). */
    private long newestDurable = -1;
    /** Where the run is, for the report: an operation, or a stage of the final checks. */
    private String stage = "set-up";

    Sequence(Spec spec, long seed, List<Op> ops) {
        this.spec = spec;
        this.seed = seed;
        this.ops = ops;
    }

    void run() throws Exception {
        try {
            setUp();
            for (index = 0; index < ops.size(); index++) {
                stage = "operation #" + index + " " + ops.get(index);
                apply(ops.get(index));
                trace("");
                check(!spec.lazy());
            }
            stage = "the final check of the live state and every retained checkpoint";
            settleSpeculation();
            check(true);
            if (spec.durable()) {
                stage = "the final reopen";
                reopen();
                check(true);
            }
        } catch (Throwable t) {
            throw new AssertionError(report(t), t);
        } finally {
            if (g != null) {
                g.close();
            }
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private String report(Throwable t) {
        StringBuilder b = new StringBuilder();
        b.append("matrix failure in ").append(spec.name()).append(" ").append(spec).append(", seed ").append(seed)
                .append(", at ").append(stage)
                .append(": ").append(t).append("\n  operations:");
        for (int i = 0; i < ops.size(); i++) {
            b.append(i % 8 == 0 ? "\n    " : " ").append(i == index ? ">>" : "").append('#').append(i).append(' ')
                    .append(ops.get(i));
        }
        b.append("\n  reproduce: ./build mvn -pl model-checks -am verify -Dsurefire.failIfNoSpecifiedTests=false"
                        + " -Dtest='DurableGroupMatrixTest' -Dmatrix.spec=").append(spec.name())
                .append(" -Dmatrix.seed=").append(seed).append(" -Dmatrix.length=").append(ops.size());
        return b.toString();
    }

    // ------------------------------------------------------------------ the group

    private Store openStore() {
        DirectoryStoreBuilder b = Store.directoryBuilder(dir).retainCheckpoints(spec.retain()).cleaning(spec.cleaning());
        if (spec.smallSegments()) {
            b.segmentBytes(64 << 10);
        }
        return b.open();
    }

    private GroupBuilder builder() {
        GroupBuilder b = Group.builder(NAME).retainCheckpoints(spec.retain()).notificationExecutor(Runnable::run)
                .maintenanceExecutor(Runnable::run);
        if (spec.durable()) {
            store = openStore();
            b.store(store).checkpointEvery(Duration.ZERO);
        }
        return b;
    }

    private void setUp() throws IOException {
        if (spec.durable()) {
            dir = Files.createTempDirectory("aurora4j-matrix-");
        }
        g = builder().open();
        for (int i = 0; i < LONGS; i++) {
            longs[i] = g.newLong("l" + i, 0);
        }
        ref = g.newRef("ref", "r0");
        map = g.newMap("map");
        heap = g.regionBuilder("heap").capacity(PAGES * PAGE).pageSize(PAGE).create();
        if (spec.lazy()) {
            Random r = new Random(seed);
            for (int p = 0; p < PAGES; p++) {
                byte[] b = new byte[PAGE];
                r.nextBytes(b);
                heap.putBytes((long) p * PAGE, b);
                System.arraycopy(b, 0, live.heap, p * PAGE, PAGE);
            }
        }
        Checkpoint first = spec.durable() ? g.barrier().join() : g.checkpoint();
        known.put(first.id(), live.copy());
        newestDurable = spec.durable() ? first.id() : -1;
    }

    private void bind() {
        for (int i = 0; i < LONGS; i++) {
            longs[i] = g.longRef("l" + i);
        }
        ref = g.ref("ref");
        map = g.map("map");
        heap = g.region("heap");
    }

    // ------------------------------------------------------------------ operations

    private void apply(Op op) {
        switch (op.kind()) {
            case TX -> transaction(op.param());
            case RAW_LONG -> {
                int i = (int) (op.param() % LONGS);
                long v = op.param() >>> 8;
                longs[i].set(v);
                live.longs[i] = v;
            }
            case MAP -> {
                String k = "k" + op.param() % KEYS;
                if ((op.param() >>> 4) % 3 == 0) {
                    map.remove(k);
                    live.map.remove(k);
                } else {
                    String v = "v" + (op.param() >>> 8) % 1000;
                    map.put(k, v);
                    live.map.put(k, v);
                }
            }
            case RAW_REGION -> {
                Random r = new Random(op.param());
                int span = spec.lazy() ? PAGE : PAGES * PAGE;
                int at = r.nextInt(span);
                int n = 1 + r.nextInt(Math.min(span - at, PAGE + PAGE / 2));
                byte[] b = new byte[n];
                r.nextBytes(b);
                heap.putBytes(at, b);
                System.arraycopy(b, 0, live.heap, at, n);
            }
            case CHECKPOINT -> known.put(g.checkpoint().id(), live.copy());
            case ROLLBACK -> {
                Checkpoint target = pick(op.param());
                if (target != null) {
                    trace("rollback to " + target.id());
                    g.rollback(target);
                    rolledBackTo(target.id(), known.get(target.id()));
                }
            }
            case BARRIER -> {
                Checkpoint cp = g.barrier().join();
                known.put(cp.id(), live.copy());
                newestDurable = cp.id();
                checkNewestDurable(cp.id());
            }
            case LOG -> {
                byte[] rec = ("seed " + seed + " op " + index).getBytes();
                g.log("events").append(rec);
                logged.add(rec);
            }
            case REOPEN -> reopen();
            case FORK -> {
                Checkpoint cp = pick(op.param());
                if (cp != null) {
                    try (Group fork = g.fork(cp)) {
                        compareGroup(fork, known.get(cp.id()), "fork of checkpoint " + cp.id());
                        fork.longRef("l0").add(1000);
                        fork.region("heap").putLong(0, -1L); // the fork's writes must not reach the parent
                    }
                }
            }
            case SEND -> {
                Checkpoint cp = pick(op.param());
                if (cp != null) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    g.send(cp, out);
                    try (Group received = Group.receive(new ByteArrayInputStream(out.toByteArray()))) {
                        compareGroup(received, known.get(cp.id()), "image of checkpoint " + cp.id());
                    }
                }
            }
            case TOUCH -> check(true);
            case SPEC_BEGIN -> {
                if (speculation == null) {
                    speculation = Speculation.begin(g);
                    trace("began " + speculation + " at checkpoint " + speculation.checkpoint().id());
                    atSpeculation = live.copy();
                    speculationUndone = false;
                    known.put(speculation.checkpoint().id(), atSpeculation);
                }
            }
            case SPEC_END -> {
                if (speculation != null) {
                    if (op.param() % 2 == 0) {
                        confirm();
                    } else {
                        fail();
                    }
                }
            }
        }
    }

    private void trace(String what) {
        if (TRACE) {
            System.out.printf("matrix trace %s seed %d #%d %s %s: history %s%n", spec.name(), seed, index,
                    index < ops.size() ? ops.get(index) : "end", what,
                    g.history().stream().map(c -> c.id() + (known.containsKey(c.id()) ? "" : "?")).toList());
        }
    }

    private void transaction(long param) {
        Random r = new Random(param);
        int n = 1 + r.nextInt(4);
        long[][] actions = new long[n][];
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(5);
            long where = kind == 4 ? 8L * r.nextInt((spec.lazy() ? PAGE : PAGES * PAGE) / 8) : r.nextInt(LONGS + KEYS);
            actions[i] = new long[]{kind, where, r.nextInt(1000)};
        }
        boolean abort = r.nextInt(10) == 0;
        RuntimeException planned = new IllegalStateException("planned abort");
        try {
            g.atomic(() -> {
                for (long[] a : actions) {
                    switch ((int) a[0]) {
                        case 0 -> longs[(int) (a[1] % LONGS)].add(a[2]);
                        case 1 -> ref.set("r" + a[2]);
                        case 2 -> map.put("k" + a[1] % KEYS, "v" + a[2]);
                        case 3 -> map.remove("k" + a[1] % KEYS);
                        default -> heap.putLong(a[1], a[2] * 0x0101010101L);
                    }
                }
                if (abort) {
                    throw planned;
                }
            });
        } catch (IllegalStateException e) {
            if (e != planned) {
                throw e;
            }
            return; // aborted: nothing of it may show
        }
        for (long[] a : actions) {
            switch ((int) a[0]) {
                case 0 -> live.longs[(int) (a[1] % LONGS)] += a[2];
                case 1 -> live.ref = "r" + a[2];
                case 2 -> live.map.put("k" + a[1] % KEYS, "v" + a[2]);
                case 3 -> live.map.remove("k" + a[1] % KEYS);
                default -> new UnsafeBuffer(live.heap).putLong((int) a[1], a[2] * 0x0101010101L);
            }
        }
    }

    /** A retained checkpoint the oracle knows, chosen by {@code param}; null if there is none. */
    private Checkpoint pick(long param) {
        List<Checkpoint> retained = g.history().stream().filter(c -> known.containsKey(c.id())).toList();
        return retained.isEmpty() ? null : retained.get((int) (param % retained.size()));
    }

    private void rolledBackTo(long id, State state) {
        live = state.copy();
        known.keySet().removeIf(k -> k > id); // a rollback discards the checkpoints after its target
        if (speculation != null && id <= speculation.checkpoint().id()) {
            speculationUndone = true;
        }
    }

    private void confirm() {
        boolean confirmed = speculation.confirm();
        trace("confirm() = " + confirmed + " (undone " + speculationUndone + ")");
        if (!confirmed && !speculationUndone) {
            throw new AssertionError("confirm() of " + speculation + " returned false although nothing undid it");
        }
        speculation = null;
    }

    private void fail() {
        Speculation s = speculation;
        boolean retained = s.checkpoint().isRetained();
        speculation = null;
        boolean rolledBack;
        try {
            rolledBack = s.fail(new IllegalStateException("matrix: the prediction failed"));
            trace("fail() = " + rolledBack + " (retained " + retained + ", undone " + speculationUndone + ")");
        } catch (IllegalStateException e) {
            trace("fail() threw " + e.getMessage() + " (retained " + retained + ")");
            if (retained) {
                throw new AssertionError("fail() of " + s + " threw although its checkpoint is retained", e);
            }
            return; // documented: the checkpoint left retention, nothing changed
        }
        if (rolledBack) {
            rolledBackTo(s.checkpoint().id(), atSpeculation);
        } else if (!speculationUndone) {
            throw new AssertionError("fail() of " + s + " did not roll back although nothing undid it");
        }
    }

    private void settleSpeculation() {
        if (speculation != null) {
            confirm();
        }
    }

    private void reopen() {
        settleSpeculation();
        g.close(); // a last checkpoint to disk: what reopening must find is the live state
        g = builder().open();
        bind();
        trace("reopened: ref " + ref.get());
        known.clear();
        for (Checkpoint c : g.history()) {
            known.put(c.id(), live.copy());
            newestDurable = Math.max(newestDurable, c.id());
        }
        List<byte[]> read = new ArrayList<>();
        g.log("events").read(0, (n, rec) -> read.add(rec));
        if (read.size() != logged.size() || !allEqual(read, logged)) {
            throw new AssertionError("durable log after reopen: " + read.size() + " records, appended " + logged.size());
        }
    }

    private static boolean allEqual(List<byte[]> a, List<byte[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ checks

    private void check(boolean regions) {
        compareLive(g, live, "live state", regions);
        List<Checkpoint> history = g.history();
        for (Checkpoint c : history) {
            State s = known.get(c.id());
            if (s == null) {
                continue; // taken by the group itself (none is, with periodic checkpoints off), or before the oracle's first
            }
            CheckpointView v = c.view();
            String what = "view of checkpoint " + c.id();
            for (int i = 0; i < LONGS; i++) {
                expect(what + ": l" + i, s.longs[i], v.get(longs[i]));
            }
            expect(what + ": ref", s.ref, v.get(ref));
            expect(what + ": map", s.map, new TreeMap<>(v.snapshot(map)));
            if (regions) {
                byte[] b = new byte[PAGES * PAGE];
                v.getBytes(heap, 0, b, 0, b.length);
                expectBytes(what + ": heap", s.heap, b);
            }
        }
    }

    private void compareGroup(Group other, State s, String what) {
        compareLive(other, s, what, true);
    }

    private static void compareLive(Group group, State s, String what, boolean regions) {
        for (int i = 0; i < LONGS; i++) {
            expect(what + ": l" + i, s.longs[i], group.longRef("l" + i).get());
        }
        expect(what + ": ref", s.ref, group.<String>ref("ref").get());
        expect(what + ": map", s.map, new TreeMap<>(group.<String, String>map("map").snapshot()));
        if (regions) {
            byte[] b = new byte[PAGES * PAGE];
            group.region("heap").getBytes(0, b);
            expectBytes(what + ": heap", s.heap, b);
        }
    }

    /** The store's newest durable checkpoint is {@code id}, and its region pages are the oracle's bytes. */
    private void checkNewestDurable(long id) {
        Optional<StoredCheckpoint> newest = store.lastDurable();
        expect("the store's newest durable checkpoint", id, newest.map(StoredCheckpoint::id).orElse(-1L));
        StoredState state = store.state(id);
        byte[] stored = new byte[PAGES * PAGE];
        for (long p : state.pages("heap")) {
            state.readPage("heap", p, new UnsafeBuffer(stored), (int) p * PAGE);
        }
        expectBytes("region pages of durable checkpoint " + id + " read from the store", known.get(id).heap, stored);
    }

    private static void expect(String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(what + ": expected " + expected + " but was " + actual);
        }
    }

    private static void expectBytes(String what, byte[] expected, byte[] actual) {
        int at = Arrays.mismatch(expected, actual);
        if (at >= 0) {
            throw new AssertionError(what + ": first difference at byte " + at + " (page " + at / PAGE + "): expected "
                    + expected[at] + " but was " + actual[at]);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cleaning up " + root, e);
        }
    }
}
