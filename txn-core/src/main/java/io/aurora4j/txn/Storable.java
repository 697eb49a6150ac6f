package io.aurora4j.txn;

import io.aurora4j.store.Codecs;
import io.aurora4j.store.StoreLimits;

/**
 * What a group can write to a store or an image, checked where it enters (issue #10, defect 13): an object id or a
 * checkpoint label longer than {@link StoreLimits#MAX_ID_BYTES}, or a value whose class the group's codecs cannot
 * encode, used to be accepted and then end the group's durability for good at the next flush. Ids and labels are
 * checked in every group (any group can be sent); values in durable groups only, where they must be written — an
 * in-memory group may hold any value, and {@link Group#send} tells which one it cannot write.
 *
 * <p>What the write-time check sees is the value's class: it costs one {@link ClassValue} look-up (the codecs'
 * writer for that class, resolved once per class) and no encoding, so it cannot see inside a value. What only
 * encoding finds — an unsupported value inside a list, set, map or record, nesting deeper than
 * {@link Codecs#MAX_DEPTH}, a record beyond {@link StoreLimits#MAX_RECORD_BYTES} — is found by the flusher, which
 * fails that checkpoint with an {@link UnwritableValueException} from {@link #encode} and {@link #checkRecord} and
 * goes on (see {@link Durability}).
 *
 * <p>One instance per durable group, over its codecs; immutable and thread-safe.
 */
final class Storable {
    private final Codecs codecs;

    Storable(Codecs codecs) {
        this.codecs = codecs;
    }

    /** Rejects an id that no store or image could hold. */
    static void checkId(String group, String id) {
        // Three bytes per char at most: ids up to a third of the limit need no counting.
        if (id.length() > StoreLimits.MAX_ID_BYTES / 3 && utf8Length(id) > StoreLimits.MAX_ID_BYTES) {
            throw new IllegalArgumentException("group '" + group + "': a state object id is at most " + StoreLimits.MAX_ID_BYTES
                    + " UTF-8 bytes (the longest a store or an image holds), got one of " + utf8Length(id)
                    + " starting '" + id.substring(0, 32) + "'");
        }
    }

    /** Rejects a checkpoint label that no store or image could hold. */
    static void checkLabel(String group, String label) {
        if (label.length() > StoreLimits.MAX_ID_BYTES / 3 && utf8Length(label) > StoreLimits.MAX_ID_BYTES) {
            throw new IllegalArgumentException("group '" + group + "': a checkpoint label is at most " + StoreLimits.MAX_ID_BYTES
                    + " UTF-8 bytes (the longest a store or an image holds), got one of " + utf8Length(label)
                    + " starting '" + label.substring(0, 32) + "'");
        }
    }

    /** The length of {@code s} in UTF-8 as {@link String#getBytes} encodes it (an unpaired surrogate becomes '?'), without encoding it. */
    static int utf8Length(String s) {
        int n = s.length();
        long bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2; // two chars, four bytes
                i++;
            } else if (!Character.isSurrogate(c)) {
                bytes += 2;
            }
        }
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    /**
     * At a write to {@code owner} (a {@link TRef}'s new value, a {@link TMap}'s key or value): rejects a value whose class
     * the codecs cannot encode, unless the object is not persisted. The persistence look-up runs only for such a value.
     */
    void check(StateObject owner, String what, Object value) {
        if (value != null && !codecs.supports(value.getClass()) && owner.group().registry.isPersisted(owner)) {
            throw rejected(owner.group().name(), StateObjects.kind(owner), owner.id(), what, value);
        }
    }

    /** The initial value of a {@link TRef} about to be created as {@code id} (new objects are persisted). */
    void checkInitial(String group, String id, Object value) {
        if (value != null && !codecs.supports(value.getClass())) {
            throw rejected(group, "TRef", id, "initial value", value);
        }
    }

    private IllegalArgumentException rejected(String group, String kind, String id, String what, Object value) {
        String why;
        try {
            codecs.encode(value);
            why = "its class is not supported"; // not reached: supports() said no
        } catch (IllegalArgumentException e) {
            why = e.getMessage(); // says what to register
        }
        return new IllegalArgumentException(kind + " '" + id + "' of durable group '" + group + "' cannot take a "
                + value.getClass().getName() + " as its " + what + ": the group's codecs cannot write it (" + why + ")");
    }

    /** Encodes what {@code owner} holds as of checkpoint {@code checkpointId}, or says which object cannot be written. */
    static byte[] encode(Codecs codecs, StateObject owner, long checkpointId, String what, Object value) {
        try {
            return codecs.encode(value);
        } catch (IllegalArgumentException e) {
            throw unwritable(owner, checkpointId, "holds " + what + " the group's codecs cannot write: " + e.getMessage(), e);
        }
    }

    /** Checks that a record of {@code owner} carrying {@code dataBytes} of key and value fits every store and image. */
    static void checkRecord(StateObject owner, long checkpointId, long dataBytes) {
        String id = owner.id();
        // Three bytes per char at most: only a record near the limit needs the id's exact length.
        if (dataBytes + 3L * id.length() + StoreLimits.RECORD_OVERHEAD <= StoreLimits.MAX_RECORD_BYTES) {
            return;
        }
        int max = StoreLimits.maxDataBytes(utf8Length(id));
        if (dataBytes > max) {
            throw unwritable(owner, checkpointId, "holds a value of " + dataBytes + " encoded bytes; a record of this object holds at most "
                    + max + " (StoreLimits.MAX_RECORD_BYTES, the largest record a receiver with default limits reads)", null);
        }
    }

    private static UnwritableValueException unwritable(StateObject owner, long checkpointId, String what, Throwable cause) {
        String group = owner.group().name();
        return new UnwritableValueException(group, owner.id(), checkpointId, "group '" + group + "': checkpoint " + checkpointId
                + " cannot be written: " + StateObjects.kind(owner) + " '" + owner.id() + "' " + what
                + " (overwrite or remove the value, or roll back: the next checkpoint without it is made durable)", cause);
    }
}
