package io.aurora4j.store.internal;

import io.aurora4j.store.StoredCheckpoint;

import java.util.List;

/**
 * What one committed checkpoint changed, in write order, and the retention floor it recorded (the oldest
 * checkpoint still restorable once it committed). A full checkpoint's changes apply to an empty state.
 * Immutable once committed.
 */
record Delta<V>(StoredCheckpoint checkpoint, List<Op<V>> ops, long floor) {
}
