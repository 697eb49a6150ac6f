package io.aurora4j.replication;

import java.nio.ByteOrder;

/**
 * The messages between a {@link ReplicatedStore} (the primary's cluster client) and the replicas' service, on
 * the cluster's ingress (client to cluster, committed through the log) and egress (leader to client). Every
 * field is little-endian; every message starts with an {@code int} type.
 *
 * <pre>
 * ACQUIRE (ingress): become the one writer; the service bumps the writer term
 *   0               4               8                              16
 *   +---------------+---------------+------------------------------+
 *   | type = 1      | 0             | correlationId (long)         |
 *   +---------------+---------------+------------------------------+
 *
 * CHUNK (ingress): one piece of a checkpoint increment (see {@link IncrementCodec} for the payload)
 *   0        4            8           16              24           28            32
 *   +--------+------------+-----------+---------------+------------+-------------+---------...
 *   | type=2 | chunkIndex | term      | checkpointId  | chunkCount | totalLength | payload
 *   +--------+------------+-----------+---------------+------------+-------------+---------...
 *
 * GRANTED (egress): the writer term granted to correlationId, then imageChunks IMAGE messages
 *   0        4            8                 16        24                 32
 *   +--------+------------+-----------------+---------+------------------+
 *   | type=3 | imageChunks| correlationId   | term    | lastCheckpointId |
 *   +--------+------------+-----------------+---------+------------------+
 *
 * IMAGE (egress, and in snapshots): one piece of an encoded full checkpoint
 *   0        4            8                 16           20            24
 *   +--------+------------+-----------------+------------+-------------+---------...
 *   | type=4 | chunkIndex | correlationId   | chunkCount | totalLength | payload
 *   +--------+------------+-----------------+------------+-------------+---------...
 *
 * ACK / FENCED / REJECTED (egress): the outcome of increment checkpointId
 *   0        4            8           16              24
 *   +--------+------------+-----------+---------------+---------------------...
 *   | type   | 0          | term      | checkpointId  | (REJECTED) UTF-8 reason
 *   +--------+------------+-----------+---------------+---------------------...
 *   ACK = 5: committed (and applied) by the cluster. FENCED = 6: term is the current writer term, newer than
 *   the sender's. REJECTED = 7: the replicas' stores refused the increment (its base is not their newest).
 *
 * SNAPSHOT_HEADER (snapshots only): the service's replicated state besides the image
 *   0        4            8           16              24         32           36          40        44
 *   +--------+------------+-----------+---------------+----------+------------+-----------+---------+
 *   | type=8 | version=1  | term      | lastAppliedId | pendingId| pendingNext| pendCount | pendTotal|
 *   +--------+------------+-----------+---------------+----------+------------+-----------+---------+
 *   followed by PENDING (type 9, same layout as IMAGE) messages carrying the bytes of a partly received
 *   increment, then IMAGE messages of the newest checkpoint, then SNAPSHOT_END (type 10, 8 bytes).
 *
 * PURGE (a service message of the leader's service, never from a client): every member may purge its log
 * below floor (a position every member had recorded when the leader proposed it); see {@link LogPurger}
 *   0         4            8                16
 *   +---------+------------+----------------+
 *   | type=11 | 0          | floor (long)   |
 *   +---------+------------+----------------+
 * </pre>
 */
final class Protocol {
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int ACQUIRE = 1;
    static final int CHUNK = 2;
    static final int GRANTED = 3;
    static final int IMAGE = 4;
    static final int ACK = 5;
    static final int FENCED = 6;
    static final int REJECTED = 7;
    static final int SNAPSHOT_HEADER = 8;
    static final int PENDING = 9;
    static final int SNAPSHOT_END = 10;
    static final int PURGE = 11;

    static final int TYPE_OFFSET = 0;
    static final int INDEX_OFFSET = 4;

    static final int ACQUIRE_CORRELATION_OFFSET = 8;
    static final int ACQUIRE_LENGTH = 16;

    static final int CHUNK_TERM_OFFSET = 8;
    static final int CHUNK_ID_OFFSET = 16;
    static final int CHUNK_COUNT_OFFSET = 24;
    static final int CHUNK_TOTAL_OFFSET = 28;
    static final int CHUNK_HEADER_LENGTH = 32;

    static final int GRANTED_CORRELATION_OFFSET = 8;
    static final int GRANTED_TERM_OFFSET = 16;
    static final int GRANTED_LAST_ID_OFFSET = 24;
    static final int GRANTED_LENGTH = 32;

    static final int IMAGE_CORRELATION_OFFSET = 8;
    static final int IMAGE_COUNT_OFFSET = 16;
    static final int IMAGE_TOTAL_OFFSET = 20;
    static final int IMAGE_HEADER_LENGTH = 24;

    static final int OUTCOME_TERM_OFFSET = 8;
    static final int OUTCOME_ID_OFFSET = 16;
    static final int OUTCOME_LENGTH = 24;

    static final int PURGE_FLOOR_OFFSET = 8;
    static final int PURGE_LENGTH = 16;

    static final int SNAPSHOT_VERSION = 1;
    static final int SNAP_TERM_OFFSET = 8;
    static final int SNAP_LAST_APPLIED_OFFSET = 16;
    static final int SNAP_PENDING_ID_OFFSET = 24;
    static final int SNAP_PENDING_NEXT_OFFSET = 32;
    static final int SNAP_PENDING_COUNT_OFFSET = 36;
    static final int SNAP_PENDING_TOTAL_OFFSET = 40;
    static final int SNAP_HEADER_LENGTH = 44;
    static final int SNAP_END_LENGTH = 8;

    /** Chunks needed to carry {@code total} bytes in pieces of {@code maxPayload}; at least one (an empty payload). */
    static int chunkCount(int total, int maxPayload) {
        return Math.max(1, (int) ((total + (long) maxPayload - 1) / maxPayload));
    }

    private Protocol() {
    }
}
