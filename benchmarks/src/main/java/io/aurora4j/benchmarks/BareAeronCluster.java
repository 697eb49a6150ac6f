package io.aurora4j.benchmarks;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The baseline of the replication benchmarks: a bare Aeron Cluster of three members in this JVM, configured as
 * {@code io.aurora4j.replication.ReplicaNode} configures its members (shared-threading driver, archive and
 * consensus module, 4 MiB log terms, the same back-off idle strategy, channels and timeouts: 3 s heartbeat
 * timeout, 6 s canvass), whose
 * service does nothing with a message but answer the last chunk of one; and a client with its own media driver
 * that sends {@code n} bytes chunked to the ingress's maximum message and waits for that answer on the calling
 * thread. What the cluster costs to commit bytes, without Aurora4j's encoding, agent hand-off, writer term or
 * the members' own stores. {@link #close} stops everything and removes its directories and {@code /dev/shm}
 * files. Not thread-safe.
 */
final class BareAeronCluster implements AutoCloseable {
    private static final int TERM = 4 * 1024 * 1024;
    private static final int HEADER = 16; // long id, int chunk index, int chunk count
    private static final long HEARTBEAT_TIMEOUT_NS = 3_000_000_000L; // ReplicationSettings' default

    private final String cluster = ReplicaClusters.uniqueName("bare");
    private final Path dir = DurableDirs.create("bare-aeron");
    private final ClusteredMediaDriver[] drivers = new ClusteredMediaDriver[3];
    private final ClusteredServiceContainer[] containers = new ClusteredServiceContainer[3];
    private final Answering[] services = new Answering[3];
    private MediaDriver clientDriver;
    private AeronCluster client;
    private UnsafeBuffer send;
    private int maxPayload;
    private long nextId;
    private long answered = -1;
    private final IdleStrategy idle = idle();

    BareAeronCluster() {
        String[] members = ReplicaClusters.freeMembers(3);
        try {
            StringBuilder clusterMembers = new StringBuilder();
            StringBuilder ingress = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                int p = port(members[i]);
                clusterMembers.append(i == 0 ? "" : "|").append(i).append(",127.0.0.1:").append(p + 1).append(",127.0.0.1:")
                        .append(p + 2).append(",127.0.0.1:").append(p + 3).append(",127.0.0.1:").append(p + 4)
                        .append(",127.0.0.1:").append(p);
                ingress.append(i == 0 ? "" : ",").append(i).append("=127.0.0.1:").append(p + 1);
            }
            for (int i = 0; i < 3; i++) {
                launch(i, port(members[i]), clusterMembers.toString());
            }
            ReplicaClusters.await("a leader of the bare cluster", () -> {
                for (Answering s : services) {
                    if (s.role == Cluster.Role.LEADER) {
                        return true;
                    }
                }
                return false;
            });
            String clientDir = "/dev/shm/aurora4j-" + cluster + "-client";
            clientDriver = MediaDriver.launchEmbedded(new MediaDriver.Context().aeronDirectoryName(clientDir)
                    .threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(idle()).termBufferSparseFile(true)
                    .publicationTermBufferLength(TERM).ipcTermBufferLength(TERM)
                    .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            client = AeronCluster.connect(new AeronCluster.Context()
                    .aeronDirectoryName(clientDriver.aeronDirectoryName())
                    .ingressChannel("aeron:udp?term-length=" + TERM)
                    .ingressEndpoints(ingress.toString())
                    .egressChannel("aeron:udp?endpoint=127.0.0.1:0|term-length=" + TERM)
                    .messageTimeoutNs(5_000_000_000L)
                    .idleStrategy(idle())
                    .egressListener(new EgressListener() {
                        @Override
                        public void onMessage(long clusterSessionId, long timestamp, DirectBuffer buffer, int offset,
                                              int length, Header header) {
                            answered = buffer.getLong(offset);
                        }
                    }));
            int max = client.ingressPublication().maxMessageLength();
            maxPayload = max - AeronCluster.SESSION_HEADER_LENGTH - HEADER;
            send = new UnsafeBuffer(ByteBuffer.allocateDirect(max));
            byte[] noise = new byte[max];
            ThreadLocalRandom.current().nextBytes(noise);
            send.putBytes(0, noise);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static int port(String member) {
        return Integer.parseInt(member.substring(member.lastIndexOf(':') + 1));
    }

    private static IdleStrategy idle() {
        return new BackoffIdleStrategy(10, 20, 1_000, 1_000_000); // ReplicationSettings' default
    }

    private void launch(int i, int port, String clusterMembers) {
        String aeronDir = "/dev/shm/aurora4j-" + cluster + "-node" + i;
        Path member = dir.resolve("node" + i);
        MediaDriver.Context driver = new MediaDriver.Context().aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(idle()).termBufferSparseFile(true)
                .publicationTermBufferLength(TERM).ipcTermBufferLength(TERM)
                .imageLivenessTimeoutNs(2 * HEARTBEAT_TIMEOUT_NS).dirDeleteOnStart(true).dirDeleteOnShutdown(true);
        Archive.Context archive = new Archive.Context().aeronDirectoryName(aeronDir).archiveId(i)
                .archiveDir(member.resolve("archive").toFile())
                .controlChannel("aeron:udp?endpoint=127.0.0.1:" + port + "|term-length=64k")
                .localControlChannel("aeron:ipc?term-length=64k")
                .replicationChannel("aeron:udp?endpoint=127.0.0.1:0")
                .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=127.0.0.1:0"))
                .recordingEventsEnabled(false).threadingMode(ArchiveThreadingMode.SHARED)
                .idleStrategySupplier(BareAeronCluster::idle).segmentFileLength(64 * 1024 * 1024).deleteArchiveOnStart(true);
        AeronArchive.Context local = new AeronArchive.Context().lock(NoOpLock.INSTANCE)
                .controlRequestChannel(archive.localControlChannel())
                .controlRequestStreamId(archive.localControlStreamId())
                .controlResponseChannel("aeron:ipc?term-length=64k").aeronDirectoryName(aeronDir);
        ConsensusModule.Context consensus = new ConsensusModule.Context().clusterMemberId(i)
                .clusterMembers(clusterMembers).clusterDir(member.resolve("cluster").toFile()).aeronDirectoryName(aeronDir)
                .ingressChannel("aeron:udp").logChannel("aeron:udp?term-length=" + TERM + "|alias=log")
                .consensusChannel("aeron:udp?term-length=64k|alias=consensus")
                .replicationChannel("aeron:udp?endpoint=127.0.0.1:0").archiveContext(local.clone()).serviceCount(1)
                .idleStrategySupplier(BareAeronCluster::idle).leaderHeartbeatTimeoutNs(HEARTBEAT_TIMEOUT_NS)
                .leaderHeartbeatIntervalNs(HEARTBEAT_TIMEOUT_NS / 10).electionTimeoutNs(HEARTBEAT_TIMEOUT_NS / 2)
                .startupCanvassTimeoutNs(2 * HEARTBEAT_TIMEOUT_NS).sessionTimeoutNs(5 * HEARTBEAT_TIMEOUT_NS).deleteDirOnStart(true);
        services[i] = new Answering();
        ClusteredServiceContainer.Context service = new ClusteredServiceContainer.Context().aeronDirectoryName(aeronDir)
                .archiveContext(local.clone()).clusterDir(member.resolve("cluster").toFile())
                .clusteredService(services[i]).idleStrategySupplier(BareAeronCluster::idle);
        drivers[i] = ClusteredMediaDriver.launch(driver, archive, consensus);
        containers[i] = ClusteredServiceContainer.launch(service);
    }

    /** Commits {@code bytes} bytes through the cluster and returns once the leader's service answered. */
    long commit(int bytes) {
        long id = nextId++;
        int count = Math.max(1, (bytes + maxPayload - 1) / maxPayload);
        for (int chunk = 0; chunk < count; chunk++) {
            int n = Math.min(maxPayload, bytes - chunk * maxPayload);
            send.putLong(0, id);
            send.putInt(8, chunk);
            send.putInt(12, count);
            while (client.offer(send, 0, HEADER + n) < 0) {
                idle.idle(client.pollEgress()); // back-pressure: keep the session alive while waiting
            }
        }
        idle.reset();
        while (answered < id) {
            idle.idle(client.pollEgress());
        }
        return id;
    }

    @Override
    public void close() {
        CloseHelper.quietClose(client);
        CloseHelper.quietClose(clientDriver);
        for (int i = 0; i < 3; i++) {
            if (drivers[i] != null) {
                CloseHelper.quietCloseAll(drivers[i].consensusModule(), containers[i], drivers[i]);
            }
        }
        ReplicaClusters.deleteShm(cluster);
        DurableDirs.delete(dir);
    }

    /** The service: answers the last chunk of a message with its id (only the leader's answer leaves). */
    private static final class Answering implements ClusteredService {
        private final UnsafeBuffer answer = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
        private IdleStrategy idle;
        volatile Cluster.Role role = Cluster.Role.FOLLOWER;

        @Override
        public void onStart(Cluster cluster, Image snapshotImage) {
            idle = cluster.idleStrategy();
        }

        @Override
        public void onSessionOpen(ClientSession session, long timestamp) {
        }

        @Override
        public void onSessionClose(ClientSession session, long timestamp, CloseReason closeReason) {
        }

        @Override
        public void onSessionMessage(ClientSession session, long timestamp, DirectBuffer buffer, int offset, int length,
                                     Header header) {
            if (buffer.getInt(offset + 8) != buffer.getInt(offset + 12) - 1 || session == null) {
                return;
            }
            answer.putLong(0, buffer.getLong(offset));
            while (session.offer(answer, 0, 8) < 0 && !session.isClosing()) {
                idle.idle();
            }
        }

        @Override
        public void onTimerEvent(long correlationId, long timestamp) {
        }

        @Override
        public void onTakeSnapshot(ExclusivePublication snapshotPublication) {
        }

        @Override
        public void onRoleChange(Cluster.Role newRole) {
            role = newRole;
        }

        @Override
        public void onTerminate(Cluster cluster) {
        }
    }
}
