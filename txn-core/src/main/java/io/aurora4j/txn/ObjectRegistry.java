package io.aurora4j.txn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One job: the registry of a group's state objects by id — creation (ids checked, duplicates refused, the creation
 * logged in the current epoch so a rollback discards it), typed look-up, and each object's persistence policy.
 *
 * <p>Thread-safe: look-ups are lock-free; creations and policy changes take the timeline's admin lock.
 */
final class ObjectRegistry {
    /** Creates the object with the group's current version and epoch number. */
    interface Factory<T extends StateObject> {
        T create(long version, long epoch);
    }

    private final Group group;
    private final EpochTimeline timeline;
    private final ConcurrentHashMap<String, StateObject> objects = new ConcurrentHashMap<>();
    /** Ids of state objects kept out of the store; see {@link Group#setPersistence}. */
    private final Set<String> ephemeral = ConcurrentHashMap.newKeySet();

    ObjectRegistry(Group group, EpochTimeline timeline) {
        this.group = group;
        this.timeline = timeline;
    }

    <T extends StateObject> T register(String id, Factory<T> factory) {
        Objects.requireNonNull(id, "id");
        if (!id.isEmpty() && id.charAt(0) == '\u0000') {
            throw new IllegalArgumentException("state object ids starting with NUL are reserved, got '" + id.substring(1) + "' after it");
        }
        Storable.checkId(group.name(), id); // what no store or image could hold would end durability at the next flush
        if (Txn.current().active) {
            throw new IllegalStateException("state object '" + id + "' cannot be created inside a transaction of group '"
                    + Txn.current().group.name() + "': create state objects before or between transactions");
        }
        timeline.admin.lock();
        try {
            group.checkOpen();
            Epoch epoch = group.currentEpoch;
            T created = factory.create(group.clockNow(), epoch.number);
            StateObject existing = objects.putIfAbsent(id, created);
            if (existing != null) {
                throw new IllegalArgumentException("group '" + group.name() + "' already has a state object '" + id
                        + "' (a " + StateObjects.kind(existing) + ")");
            }
            if (epoch.logging) {
                epoch.created.add(created);
            }
            return created;
        } finally {
            timeline.admin.unlock();
        }
    }

    <T> T lookup(String id, Class<T> type) {
        Objects.requireNonNull(id, "id");
        group.checkOpen();
        StateObject o = objects.get(id);
        if (o == null) {
            throw new NoSuchElementException("group '" + group.name() + "' has no state object '" + id + "'");
        }
        if (!type.isInstance(o)) {
            throw new IllegalArgumentException("state object '" + id + "' of group '" + group.name() + "' is a "
                    + StateObjects.kind(o) + ", not a " + type.getSimpleName());
        }
        return type.cast(o);
    }

    /** Admin lock held, gate closed: {@code o} was created after the checkpoint a rollback returned to. */
    void remove(StateObject o) {
        objects.remove(o.id(), o);
    }

    Collection<StateObject> all() {
        return objects.values();
    }

    int size() {
        return objects.size();
    }

    /** Admin lock held: the objects that existed at the epoch {@code cut}, all of them or only the regions. */
    List<StateObject> existingAt(long cut, boolean onlyRegions) {
        List<StateObject> found = new ArrayList<>();
        for (StateObject o : objects.values()) {
            if (StateObjects.createdEpoch(o) <= cut && (!onlyRegions || o instanceof Region)) {
                found.add(o);
            }
        }
        return found;
    }

    // ================================================================== persistence policy

    boolean isPersisted(StateObject o) {
        return !ephemeral.contains(o.id()) && !StateObjects.excludedFromCheckpoints(o);
    }

    Persistence persistence(StateObject o) {
        return StateObjects.excludedFromCheckpoints(o) ? Persistence.EXCLUDED
                : ephemeral.contains(o.id()) ? Persistence.EPHEMERAL : Persistence.DURABLE;
    }

    /** See {@link Group#setPersistence}: refuses what cannot be set, then {@link #setEphemeral}. */
    void setPersistence(String id, Persistence policy, Durability durability) {
        StateObject o = lookup(id, StateObject.class);
        if (policy == Persistence.EXCLUDED) {
            throw new IllegalArgumentException("only regions can be excluded from checkpoints, when they are built"
                    + " (Region.Builder.excludedFromCheckpoints()); use EPHEMERAL to keep '" + id + "' out of the store");
        }
        if (StateObjects.excludedFromCheckpoints(o)) {
            throw new IllegalArgumentException(o + " is excluded from checkpoints: it is never written whatever its policy");
        }
        setEphemeral(id, policy == Persistence.EPHEMERAL, durability);
    }

    /** Sets {@code id} ephemeral or durable; a change makes {@code durability} write the next checkpoint in full. */
    private void setEphemeral(String id, boolean ephemeral, Durability durability) {
        timeline.admin.lock();
        try {
            group.checkOpen();
            if (ephemeral ? this.ephemeral.add(id) : this.ephemeral.remove(id)) {
                durability.policyChanged();
            }
        } finally {
            timeline.admin.unlock();
        }
    }
}
