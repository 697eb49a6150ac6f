package io.aurora4j.replication;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One member of the Aeron Cluster that holds a group's checkpoints: a media driver, an archive (the member's
 * copy of the log), the consensus module and the {@code ReplicaService} applying each committed increment to a
 * directory store of its own. Three members tolerate the loss of one; the cluster decides the leader and
 * commits an increment once a majority has it in its archive.
 *
 * <h2>Files</h2>
 * {@code <directory>/store} (the checkpoints, a directory store), {@code <directory>/archive} (the log) and
 * {@code <directory>/cluster} (Aeron's recording log and mark files); the Aeron directory is
 * {@code <aeronDirectoryRoot>/aurora4j-<clusterName>-node<memberId>}, removed on close and, after a crash, on the
 * next launch. The log in the archive is purged behind snapshots as far as every member has recorded it (see
 * {@code LogPurger}). A relaunch on the same directory recovers: the store as it was, the service from its latest
 * snapshot and the log after it, and the rest from the leader.
 *
 * <h2>States</h2>
 * {@link #launch} returns a running member (it may still be electing); {@link #close} stops it (consensus
 * module, service, archive, driver, store, in that order) and is idempotent. A member whose store fails stops
 * itself (fail-stop): {@link #awaitStopped} returns and {@link #isClosed} turns true.
 *
 * <p>Thread-safe. Needs the JVM flag {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (Agrona 2).
 */
public final class ReplicaNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplicaNode.class.getName());

    private final int memberId;
    private final Path directory;
    private final Store store;
    private final ReplicaService service;
    private final ClusteredMediaDriver clusteredMediaDriver;
    private final ClusteredServiceContainer container;
    private final LogPurger purger;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private ReplicaNode(ReplicationSettings settings, int memberId, Path directory) {
        this.memberId = memberId;
        this.directory = directory;
        this.store = Store.directory(directory.resolve("store"));
        this.service = new ReplicaService(store, settings, memberId, this::failStop);
        String aeronDir = settings.nodeAeronDirectory(memberId).toString();
        String host = settings.host(memberId);

        MediaDriver.Context driver = new MediaDriver.Context()
                .aeronDirectoryName(aeronDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(settings.idle().get())
                .termBufferSparseFile(true)
                .publicationTermBufferLength(settings.termLength())
                .ipcTermBufferLength(settings.termLength())
                .imageLivenessTimeoutNs(settings.imageLivenessTimeoutNs())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .errorHandler(e -> warn("driver", e));

        Archive.Context archive = new Archive.Context()
                .aeronDirectoryName(aeronDir)
                .archiveId(memberId)
                .archiveDir(directory.resolve("archive").toFile())
                .controlChannel("aeron:udp?endpoint=" + host + ":" + settings.port(memberId, ReplicationSettings.ARCHIVE_CONTROL) + "|term-length=64k")
                .localControlChannel("aeron:ipc?term-length=64k")
                .replicationChannel("aeron:udp?endpoint=" + host + ":0")
                .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
                .recordingEventsEnabled(false)
                .threadingMode(ArchiveThreadingMode.SHARED)
                .idleStrategySupplier(settings.idle())
                .segmentFileLength(settings.archiveSegmentLength())
                .deleteArchiveOnStart(false)
                .errorHandler(e -> warn("archive", e));

        AeronArchive.Context localArchive = new AeronArchive.Context()
                .lock(NoOpLock.INSTANCE)
                .controlRequestChannel(archive.localControlChannel())
                .controlRequestStreamId(archive.localControlStreamId())
                .controlResponseChannel("aeron:ipc?term-length=64k")
                .aeronDirectoryName(aeronDir);

        ConsensusModule.Context consensus = new ConsensusModule.Context()
                .clusterMemberId(memberId)
                .clusterMembers(settings.clusterMembers())
                .clusterDir(directory.resolve("cluster").toFile())
                .aeronDirectoryName(aeronDir)
                .ingressChannel("aeron:udp")
                .logChannel("aeron:udp?term-length=" + settings.termLength() + "|alias=log")
                .consensusChannel("aeron:udp?term-length=64k|alias=consensus")
                .replicationChannel("aeron:udp?endpoint=" + host + ":0")
                .archiveContext(localArchive.clone())
                .serviceCount(1)
                .idleStrategySupplier(settings.idle())
                .leaderHeartbeatTimeoutNs(settings.heartbeatTimeoutNs())
                .leaderHeartbeatIntervalNs(settings.heartbeatIntervalNs())
                .electionTimeoutNs(settings.electionTimeoutNs())
                .startupCanvassTimeoutNs(settings.startupCanvassTimeout().toNanos())
                .sessionTimeoutNs(settings.sessionTimeoutNs())
                .deleteDirOnStart(false)
                .errorHandler(e -> warn("consensus", e));

        ClusteredServiceContainer.Context serviceContext = new ClusteredServiceContainer.Context()
                .aeronDirectoryName(aeronDir)
                .archiveContext(localArchive.clone())
                .clusterDir(directory.resolve("cluster").toFile())
                .clusteredService(service)
                .idleStrategySupplier(settings.idle())
                .errorHandler(e -> warn("service", e));

        ClusteredMediaDriver cmd = null;
        ClusteredServiceContainer c = null;
        try {
            cmd = ClusteredMediaDriver.launch(driver, archive, consensus);
            c = ClusteredServiceContainer.launch(serviceContext);
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(c, cmd, store);
            throw e;
        }
        this.clusteredMediaDriver = cmd;
        this.container = c;
        this.purger = new LogPurger(memberId, settings, directory.resolve("cluster").toFile(), service, this::isLeader,
                aeronDir, archive.localControlChannel(), archive.localControlStreamId(), settings.archiveSegmentLength());
        purger.start();
    }

    /**
     * Launches member {@code memberId} of the cluster {@code settings} describes, keeping its files in
     * {@code directory} (created if missing; recovered if it holds a member's files).
     *
     * @throws IllegalArgumentException if {@code memberId} is not a member
     * @throws StoreException if the member's store cannot be opened
     */
    public static ReplicaNode launch(ReplicationSettings settings, int memberId, Path directory) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(directory, "directory");
        if (memberId < 0 || memberId >= settings.members().size()) {
            throw new IllegalArgumentException("member id " + memberId + " is not in [0, " + settings.members().size()
                    + ") of " + settings);
        }
        return new ReplicaNode(settings, memberId, directory);
    }

    /** This member's id. */
    public int memberId() {
        return memberId;
    }

    /** The directory holding this member's files. */
    public Path directory() {
        return directory;
    }

    /** Whether this member leads the cluster, its election over. */
    public boolean isLeader() {
        if (closed.get()) {
            return false;
        }
        ConsensusModule.Context ctx = clusteredMediaDriver.consensusModule().context();
        AtomicCounter role = ctx.clusterNodeRoleCounter();
        return !role.isClosed() && Cluster.Role.get(role) == Cluster.Role.LEADER
                && ElectionState.get(ctx.electionStateCounter()) == ElectionState.CLOSED;
    }

    /** The id of the newest checkpoint this member's service applied; -1 if none. */
    public long lastAppliedCheckpointId() {
        return service.lastAppliedId();
    }

    /** The current writer term as this member's service knows it (0 before any writer). */
    public long writerTerm() {
        return service.writerTerm();
    }

    /** Snapshots this member's service took, and loaded at start (0 or 1). */
    public long snapshotsTaken() {
        return service.snapshotsTaken();
    }

    /** Whether this member's service started from a snapshot. */
    public boolean startedFromSnapshot() {
        return service.snapshotsLoaded() > 0;
    }

    /** Asks the cluster for a snapshot of every member (through this member's consensus module); whether the request was accepted. */
    public boolean requestSnapshot() {
        ConsensusModule.Context ctx = clusteredMediaDriver.consensusModule().context();
        AtomicCounter toggle = ClusterControl.findControlToggle(ctx.aeron().countersReader(), ctx.clusterId());
        return toggle != null && ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
    }

    static boolean requestSnapshot(Cluster cluster) {
        AtomicCounter toggle = ClusterControl.findControlToggle(cluster.aeron().countersReader(), cluster.context().clusterId());
        return toggle != null && ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
    }

    /** The log purge floor agreed through the log (0 before the first purge); see {@code LogPurger}. */
    public long purgeFloor() {
        return service.purgeFloor();
    }

    /** Log segment files this member deleted since it was launched. */
    public long logSegmentsPurged() {
        return purger.segmentsDeleted();
    }

    /** Whether the member was closed, or stopped itself. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Waits until the member was closed or stopped itself. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void failStop(Throwable cause) {
        LOG.log(System.Logger.Level.ERROR, "member " + memberId + ": its store failed; the member stops", cause);
        Thread.ofPlatform().daemon().name("aurora4j-replica-stop-" + memberId).start(this::close);
    }

    private void warn(String agent, Throwable e) {
        StringBuilder m = new StringBuilder("member " + memberId + " " + agent + ": " + e);
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            m.append(" caused by ").append(c); // a service that fails to start says why only in its causes
        }
        LOG.log(System.Logger.Level.WARNING, m.toString());
    }

    /** Stops the member: consensus module, service, archive, driver, then the store. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                CloseHelper.closeAll(purger, clusteredMediaDriver.consensusModule(), container, clusteredMediaDriver, store);
            } finally {
                stopped.countDown();
            }
        }
    }

    /**
     * Runs one member as a process until it is stopped (SIGTERM closes it cleanly; a crash is recovered at the next
     * start on the same directory).
     *
     * <pre>
     * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp ... io.aurora4j.replication.ReplicaNode \
     *      MEMBER_ID DIRECTORY HOST:PORT,HOST:PORT,HOST:PORT [--cluster-name NAME] [--heartbeat-timeout-ms N]
     *      [--startup-canvass-ms N] [--low-cpu] [--purge-interval-ms N] [--segment-length BYTES] [--exit-on-stdin-eof]
     * </pre>
     * Every member gets the same member list. A launch that finds the marks of a member killed less than Aeron's
     * driver timeout (10 s) ago is retried every second for up to a minute. {@code --exit-on-stdin-eof} stops the
     * member when its standard input closes (a supervisor that dies takes its members with it). Prints
     * {@code ROLE <id> LEADER} or {@code ROLE <id> FOLLOWER} when its role changes.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ReplicaNode MEMBER_ID DIRECTORY HOST:PORT,HOST:PORT,... [--cluster-name NAME]"
                    + " [--heartbeat-timeout-ms N] [--startup-canvass-ms N] [--low-cpu] [--purge-interval-ms N]"
                    + " [--segment-length BYTES] [--exit-on-stdin-eof]");
            System.exit(2);
        }
        int memberId = Integer.parseInt(args[0]);
        Path directory = Path.of(args[1]);
        ReplicationSettings.Builder b = ReplicationSettings.builder(args[2].split(","));
        boolean exitOnEof = false;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster-name" -> b.clusterName(args[++i]);
                case "--heartbeat-timeout-ms" -> b.leaderHeartbeatTimeout(java.time.Duration.ofMillis(Long.parseLong(args[++i])));
                case "--startup-canvass-ms" -> b.startupCanvassTimeout(java.time.Duration.ofMillis(Long.parseLong(args[++i])));
                case "--low-cpu" -> b.lowCpu(true);
                case "--purge-interval-ms" -> b.purgeInterval(java.time.Duration.ofMillis(Long.parseLong(args[++i])));
                case "--segment-length" -> b.archiveSegmentLength(Integer.parseInt(args[++i]));
                case "--exit-on-stdin-eof" -> exitOnEof = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ReplicationSettings settings = b.build();
        ReplicaNode node = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (node == null) {
            try {
                node = launch(settings, memberId, directory);
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                System.err.println("member " + memberId + ": launch failed (" + e.getMessage() + "), retrying in 1 s");
                Thread.sleep(1000);
            }
        }
        ReplicaNode running = node;
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "aurora4j-replica-shutdown"));
        if (exitOnEof) {
            Thread.ofPlatform().daemon().name("aurora4j-replica-stdin").start(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // the supervisor writes nothing; EOF means it is gone
                    }
                } catch (java.io.IOException ignored) {
                    // treated as EOF
                }
                running.close();
            });
        }
        System.out.println("READY " + memberId);
        boolean wasLeader = false;
        System.out.println("ROLE " + memberId + " FOLLOWER");
        while (!running.stopped.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            boolean leader = running.isLeader();
            if (leader != wasLeader) {
                wasLeader = leader;
                System.out.println("ROLE " + memberId + (leader ? " LEADER" : " FOLLOWER"));
            }
        }
    }

    @Override
    public String toString() {
        return "ReplicaNode{member=" + memberId + ", directory=" + directory + "}";
    }
}
