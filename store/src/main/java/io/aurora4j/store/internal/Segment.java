package io.aurora4j.store.internal;

import io.aurora4j.store.StoreIO;

import java.nio.file.Path;

/**
 * One job: one segment file of the directory store and the counts compaction and cleaning keep for it. Its fields
 * are guarded by the store's lock except where noted.
 */
final class Segment {
    final long firstId;
    final Path path;
    final StoreIO.FileHandle file;
    long size;
    long lastCheckpointId = -1;
    long floorRefs;
    long floorBytes;
    /** Record bytes the newest state (the head index) uses here: what cleaning would have to copy. */
    long headBytes;
    volatile boolean deleted;

    Segment(long firstId, Path path, StoreIO.FileHandle file, long size) {
        this.firstId = firstId;
        this.path = path;
        this.file = file;
        this.size = size;
    }
}
