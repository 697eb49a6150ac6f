package io.aurora4j.store.testing;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes random checkpoints to a store and keeps the oracle: the model of every committed checkpoint.
 * A checkpoint is full with some probability (always the first), else incremental over the newest; it puts,
 * replaces (also with another kind) and removes objects, entries and pages of a few sizes. Not thread-safe.
 */
public final class RandomCheckpoints {
    private final Random random;
    private final TreeMap<Long, StateModel> committed = new TreeMap<>();
    private long nextId = 1;
    private long lastCommitted = -1;
    private int maxChanges = 10;
    private int bigPageEvery = 20;
    private double fullChance = 0.15;
    private double abortChance;

    public RandomCheckpoints(long seed) {
        this.random = new Random(seed);
    }

    /** At most {@code n} changes per checkpoint. */
    public RandomCheckpoints maxChanges(int n) {
        this.maxChanges = n;
        return this;
    }

    /** Chance a checkpoint is full. */
    public RandomCheckpoints fullChance(double p) {
        this.fullChance = p;
        return this;
    }

    /**
     * Chance that a checkpoint is first attempted and abandoned (with a 1.1 MiB page, so that some of it
     * reaches the file before the abort) and then written again under the same id.
     */
    public RandomCheckpoints abortChance(double p) {
        this.abortChance = p;
        return this;
    }

    /** One page in {@code n} is larger than the store's 1 MiB write buffer would like (64 KiB); 0: never. */
    public RandomCheckpoints bigPageEvery(int n) {
        this.bigPageEvery = n;
        return this;
    }

    /** The model of every checkpoint committed so far, by id. */
    public TreeMap<Long, StateModel> committed() {
        return committed;
    }

    /** The id of the newest committed checkpoint, or -1. */
    public long lastCommitted() {
        return lastCommitted;
    }

    /** Continue from what {@code store} says is its newest checkpoint (after a crash took an unacknowledged one). */
    public void resumeFrom(long id) {
        lastCommitted = id;
        committed.tailMap(id, false).clear();
        nextId = Math.max(nextId, id + 1);
    }

    /**
     * After a crash and reopen: the store's newest checkpoint is {@code id}. If it is the checkpoint that was
     * in progress, its model becomes committed; anything newer than {@code id} is forgotten.
     */
    public void recoveredAt(long id) {
        if (pending != null && id == nextId - 1) {
            committed.put(id, pending);
            lastCommitted = id;
        } else {
            resumeFrom(id);
        }
        pending = null;
    }

    /** The checkpoint {@link #writeOne} is writing or was writing last. */
    public long inProgress() {
        return nextId - 1;
    }

    /** The model the checkpoint in progress will have if it commits. */
    private StateModel pending;

    /** The model of the checkpoint in progress, or null. */
    public StateModel pending() {
        return pending;
    }

    /**
     * Writes one random checkpoint and commits it; on success records its model. Exceptions from the store
     * propagate (the model of the attempt stays available from {@link #pending()}).
     */
    public StoredCheckpoint writeOne(Store store) {
        long id = nextId++;
        if (random.nextDouble() < abortChance) {
            pending = null; // an abandoned attempt can never be recovered
            try (CheckpointWriter w = store.begin(id, -1, "abandoned")) {
                w.putObject("abandoned", (byte) 9, new byte[3]);
                byte[] big = bytes(1_100_000);
                w.putPage("abandoned", 0, new UnsafeBuffer(big), 0, big.length);
            } // closing without commit aborts
        }
        boolean full = lastCommitted < 0 || random.nextDouble() < fullChance;
        StateModel model = full ? new StateModel() : committed.get(lastCommitted).copy();
        pending = model;
        try (CheckpointWriter w = store.begin(id, full ? -1 : lastCommitted, random.nextInt(4) == 0 ? "cp" + id : null)) {
            if (full && lastCommitted >= 0) {
                // a full checkpoint usually rewrites much of what exists
                StateModel old = committed.get(lastCommitted);
                for (String oid : old.ids()) {
                    if (random.nextInt(3) > 0) {
                        byte kind = old.kindOf(oid);
                        byte[] v = bytes(random.nextInt(20));
                        w.putObject(oid, kind, v);
                        model.putObject(oid, kind, v);
                    }
                }
            }
            int changes = random.nextInt(maxChanges + 1);
            for (int i = 0; i < changes; i++) {
                change(w, model);
            }
            StoredCheckpoint cp = w.commit();
            committed.put(id, model);
            lastCommitted = id;
            pending = null;
            return cp;
        }
    }

    private void change(CheckpointWriter w, StateModel model) {
        List<String> ids = model.ids();
        int what = random.nextInt(10);
        if (ids.isEmpty() || what < 2) {
            String id = "o" + random.nextInt(12);
            byte kind = (byte) random.nextInt(3);
            byte[] v = bytes(random.nextInt(30));
            w.putObject(id, kind, v);
            model.putObject(id, kind, v);
            return;
        }
        String id = ids.get(random.nextInt(ids.size()));
        switch (what) {
            case 2 -> {
                byte kind = random.nextInt(4) == 0 ? (byte) random.nextInt(3) : model.kindOf(id);
                byte[] v = bytes(random.nextInt(30));
                w.putObject(id, kind, v);
                model.putObject(id, kind, v);
            }
            case 3 -> {
                if (random.nextInt(3) == 0) {
                    w.removeObject(id);
                    model.removeObject(id);
                }
            }
            case 4, 5 -> {
                byte[] k = bytes(1 + random.nextInt(4));
                byte[] v = bytes(random.nextInt(40));
                w.putEntry(id, k, v);
                model.putEntry(id, k, v);
            }
            case 6 -> {
                List<byte[]> keys = model.entryKeys(id);
                byte[] k = keys.isEmpty() || random.nextBoolean() ? bytes(1 + random.nextInt(4))
                        : keys.get(random.nextInt(keys.size()));
                w.removeEntry(id, k);
                model.removeEntry(id, k);
            }
            default -> {
                long index = random.nextInt(8);
                int size = bigPageEvery > 0 && random.nextInt(bigPageEvery) == 0 ? 65536 : 1 + random.nextInt(512);
                byte[] page = bytes(size);
                UnsafeBuffer src = new UnsafeBuffer(new byte[size + 3]);
                src.putBytes(3, page);
                w.putPage(id, index, src, 3, size);
                model.putPage(id, index, page);
            }
        }
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
