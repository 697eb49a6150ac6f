package io.aurora4j.replication;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything replica nodes and a {@link ReplicatedStore} need to find each other and to time out: one immutable
 * value, checked once by {@link Builder#build()}, shared by every node and client of a cluster.
 *
 * <h2>Members and ports</h2>
 * Member {@code i} is {@code members().get(i)}, a {@code host:port}. A member uses five consecutive UDP ports
 * from {@code port}: archive control, ingress, consensus, log, catch-up (in that order). Replication, control
 * responses and client egress use ephemeral ports.
 *
 * <h2>Timeouts (defaults)</h2>
 * <table class="striped">
 *   <caption>What each timeout bounds</caption>
 *   <tr><th>setting</th><th>default</th><th>what it bounds</th></tr>
 *   <tr><td>{@link Builder#leaderHeartbeatTimeout}</td><td>3 s</td><td>how long followers wait for a silent leader
 *     before electing another: the failover time after a crash. Heartbeats go every tenth of it (at least 50 ms);
 *     an election round times out after half of it; a silent image is dropped after twice it; a client session
 *     lives at least five times it (and at least 5 s) without traffic.</td></tr>
 *   <tr><td>{@link Builder#startupCanvassTimeout}</td><td>10 s</td><td>how long a starting member waits for all
 *     others before electing with a majority</td></tr>
 *   <tr><td>{@link Builder#connectTimeout}</td><td>30 s</td><td>connecting a client, and becoming the writer</td></tr>
 *   <tr><td>{@link Builder#commitTimeout}</td><td>30 s</td><td>one increment's commit; past it the replicated
 *     store fails (closed: nothing more is released)</td></tr>
 * </table>
 * Aeron's own defaults (10 s heartbeat timeout, 60 s canvass) are safer on a box with long GC pauses and slower
 * to fail over; {@link #forTests} shortens them to what the project's tests use (1 s, 2 s).
 *
 * <p>Immutable and thread-safe.
 */
public final class ReplicationSettings {
    private final String clusterName;
    private final List<String> members;
    private final Duration leaderHeartbeatTimeout;
    private final Duration startupCanvassTimeout;
    private final Duration connectTimeout;
    private final Duration commitTimeout;
    private final boolean lowCpu;
    private final int termLength;
    private final Path aeronDirectoryRoot;
    private final long snapshotEveryBytes;
    private final String clientHost;
    private final int archiveSegmentLength;
    private final Duration purgeInterval;

    private ReplicationSettings(Builder b) {
        this.clusterName = b.clusterName;
        this.members = List.copyOf(b.members);
        this.leaderHeartbeatTimeout = b.leaderHeartbeatTimeout;
        this.startupCanvassTimeout = b.startupCanvassTimeout;
        this.connectTimeout = b.connectTimeout;
        this.commitTimeout = b.commitTimeout;
        this.lowCpu = b.lowCpu;
        this.termLength = b.termLength;
        this.aeronDirectoryRoot = b.aeronDirectoryRoot;
        this.snapshotEveryBytes = b.snapshotEveryBytes;
        this.archiveSegmentLength = Math.max(b.archiveSegmentLength, b.termLength);
        this.purgeInterval = b.purgeInterval;
        this.clientHost = b.clientHost != null ? b.clientHost : defaultClientHost(members);
    }

    /** 127.0.0.1 when every member is on the loopback; otherwise this machine's address. */
    private static String defaultClientHost(List<String> members) {
        boolean loopback = members.stream().allMatch(m -> m.startsWith("127.") || m.startsWith("localhost:"));
        if (loopback) {
            return "127.0.0.1";
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("cannot tell this machine's address for the cluster's replies:"
                    + " set clientHost(...)", e);
        }
    }

    /** A builder for a cluster whose members are {@code host:port} each (member id = position). */
    public static Builder builder(String... members) {
        return new Builder(List.of(members));
    }

    /**
     * Settings for tests: the given members, the 1 s heartbeat timeout and 2 s canvass of Aeron's own test
     * cluster, 60 s commit and connect timeouts (a loaded machine), and {@code clusterName} naming the
     * {@code /dev/shm} directories so that a test can remove them.
     */
    public static ReplicationSettings forTests(String clusterName, String... members) {
        return builder(members).clusterName(clusterName)
                .leaderHeartbeatTimeout(Duration.ofSeconds(1))
                .startupCanvassTimeout(Duration.ofSeconds(2))
                .connectTimeout(Duration.ofSeconds(60))
                .commitTimeout(Duration.ofSeconds(60))
                .build();
    }

    /** Names the cluster's Aeron directories: {@code <root>/aurora4j-<clusterName>-…}. */
    public String clusterName() {
        return clusterName;
    }

    /** The members' {@code host:port}, by member id. */
    public List<String> members() {
        return members;
    }

    /** See the table above. */
    public Duration leaderHeartbeatTimeout() {
        return leaderHeartbeatTimeout;
    }

    /** See the table above. */
    public Duration startupCanvassTimeout() {
        return startupCanvassTimeout;
    }

    /** See the table above. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** See the table above. */
    public Duration commitTimeout() {
        return commitTimeout;
    }

    /** Whether idle agents sleep 1 ms at once rather than back off from spinning to a 1 ms park. */
    public boolean lowCpu() {
        return lowCpu;
    }

    /**
     * The length of each archive segment file of a member's log: the log is purged a whole segment at a time
     * (at least the term length).
     */
    public int archiveSegmentLength() {
        return archiveSegmentLength;
    }

    /** How often each member looks for log it may purge (and the leader measures the members' positions). */
    public Duration purgeInterval() {
        return purgeInterval;
    }

    /** The term length of the log, ingress, egress and IPC publications; the largest message is an eighth of it. */
    public int termLength() {
        return termLength;
    }

    /** Where the Aeron directories go ({@code /dev/shm} when it exists). */
    public Path aeronDirectoryRoot() {
        return aeronDirectoryRoot;
    }

    /** Increment bytes a leader applies between two snapshots it asks for (then the log behind is purged). */
    public long snapshotEveryBytes() {
        return snapshotEveryBytes;
    }

    /** The address a {@link ReplicatedStore} on this machine receives the cluster's replies on (an ephemeral port). */
    public String clientHost() {
        return clientHost;
    }

    /** The Aeron directory of member {@code memberId}. */
    Path nodeAeronDirectory(int memberId) {
        return aeronDirectoryRoot.resolve("aurora4j-" + clusterName + "-node" + memberId);
    }

    /** A fresh Aeron directory for a client of this JVM. */
    Path clientAeronDirectory(long unique) {
        return aeronDirectoryRoot.resolve("aurora4j-" + clusterName + "-client-" + ProcessHandle.current().pid() + "-" + unique);
    }

    String host(int memberId) {
        String m = members.get(memberId);
        return m.substring(0, m.lastIndexOf(':'));
    }

    int port(int memberId, int offset) {
        String m = members.get(memberId);
        return Integer.parseInt(m.substring(m.lastIndexOf(':') + 1)) + offset;
    }

    static final int ARCHIVE_CONTROL = 0;
    static final int INGRESS = 1;
    static final int CONSENSUS = 2;
    static final int LOG = 3;
    static final int CATCHUP = 4;

    /** Aeron's cluster members string: {@code id,ingress,consensus,log,catchup,archiveControl|…}. */
    String clusterMembers() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < members.size(); i++) {
            String h = host(i);
            if (i > 0) {
                sb.append('|');
            }
            sb.append(i).append(',').append(h).append(':').append(port(i, INGRESS))
                    .append(',').append(h).append(':').append(port(i, CONSENSUS))
                    .append(',').append(h).append(':').append(port(i, LOG))
                    .append(',').append(h).append(':').append(port(i, CATCHUP))
                    .append(',').append(h).append(':').append(port(i, ARCHIVE_CONTROL));
        }
        return sb.toString();
    }

    /** Aeron's ingress endpoints string: {@code id=host:port,…}. */
    String ingressEndpoints() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(i).append('=').append(host(i)).append(':').append(port(i, INGRESS));
        }
        return sb.toString();
    }

    Supplier<IdleStrategy> idle() {
        return lowCpu ? () -> new SleepingMillisIdleStrategy(1) : () -> new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
    }

    long heartbeatTimeoutNs() {
        return leaderHeartbeatTimeout.toNanos();
    }

    long heartbeatIntervalNs() {
        return Math.max(50_000_000L, heartbeatTimeoutNs() / 10);
    }

    long electionTimeoutNs() {
        return Math.max(100_000_000L, heartbeatTimeoutNs() / 2);
    }

    long imageLivenessTimeoutNs() {
        return 2 * heartbeatTimeoutNs();
    }

    long sessionTimeoutNs() {
        return Math.max(5_000_000_000L, 5 * heartbeatTimeoutNs());
    }

    @Override
    public String toString() {
        return "ReplicationSettings{cluster=" + clusterName + ", members=" + members + ", heartbeatTimeout="
                + leaderHeartbeatTimeout + ", commitTimeout=" + commitTimeout + "}";
    }

    /** Builds {@link ReplicationSettings}; not thread-safe. */
    public static final class Builder {
        private final List<String> members;
        private String clusterName = "aurora4j";
        private Duration leaderHeartbeatTimeout = Duration.ofSeconds(3);
        private Duration startupCanvassTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration commitTimeout = Duration.ofSeconds(30);
        private boolean lowCpu;
        private int termLength = 4 * 1024 * 1024;
        private Path aeronDirectoryRoot = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir"));
        private long snapshotEveryBytes = 256L * 1024 * 1024;
        private String clientHost;
        private int archiveSegmentLength = 64 * 1024 * 1024;
        private Duration purgeInterval = Duration.ofSeconds(10);

        private Builder(List<String> members) {
            List<String> checked = new ArrayList<>();
            for (String m : members) {
                Objects.requireNonNull(m, "member");
                int colon = m.lastIndexOf(':');
                int port;
                try {
                    port = colon <= 0 ? -1 : Integer.parseInt(m.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port + 4 > 65535) {
                    throw new IllegalArgumentException("member " + checked.size() + " '" + m
                            + "' is not host:port with port in [1, 65531] (it uses five ports from it)");
                }
                checked.add(m);
            }
            if (checked.isEmpty()) {
                throw new IllegalArgumentException("a cluster needs at least one member (three tolerate the loss of one)");
            }
            this.members = checked;
        }

        /** Names the cluster's Aeron directories (letters, digits, '-' and '_'); default {@code aurora4j}. */
        public Builder clusterName(String name) {
            if (!Objects.requireNonNull(name, "name").matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("cluster name '" + name + "' must be 1-64 letters, digits, '-' or '_'");
            }
            this.clusterName = name;
            return this;
        }

        /** See {@link ReplicationSettings}; at least 100 ms. */
        public Builder leaderHeartbeatTimeout(Duration d) {
            this.leaderHeartbeatTimeout = atLeast("leaderHeartbeatTimeout", d, Duration.ofMillis(100));
            return this;
        }

        /** See {@link ReplicationSettings}; at least 100 ms, and at least twice the heartbeat timeout ({@link #build} checks). */
        public Builder startupCanvassTimeout(Duration d) {
            this.startupCanvassTimeout = atLeast("startupCanvassTimeout", d, Duration.ofMillis(100));
            return this;
        }

        /** See {@link ReplicationSettings}; at least 100 ms. */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = atLeast("connectTimeout", d, Duration.ofMillis(100));
            return this;
        }

        /** See {@link ReplicationSettings}; at least 100 ms. */
        public Builder commitTimeout(Duration d) {
            this.commitTimeout = atLeast("commitTimeout", d, Duration.ofMillis(100));
            return this;
        }

        /** Idle agents sleep 1 ms at once: less idle CPU, about three times the commit latency. Default off. */
        public Builder lowCpu(boolean lowCpu) {
            this.lowCpu = lowCpu;
            return this;
        }

        /** Term length of every publication: a power of two in [64 KiB, 1 GiB]; default 4 MiB (512 KiB messages). */
        public Builder termLength(int bytes) {
            if (bytes < 64 * 1024 || bytes > 1 << 30 || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("termLength must be a power of two in [64 KiB, 1 GiB], was " + bytes);
            }
            this.termLength = bytes;
            return this;
        }

        /**
         * Length of a member's archive segment files, the unit in which its log is purged: a power of two in
         * [64 KiB, 1 GiB]; default 64 MiB; raised to the term length if below it.
         */
        public Builder archiveSegmentLength(int bytes) {
            if (bytes < 64 * 1024 || bytes > 1 << 30 || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("archiveSegmentLength must be a power of two in [64 KiB, 1 GiB], was " + bytes);
            }
            this.archiveSegmentLength = bytes;
            return this;
        }

        /** How often members look for log to purge; at least 100 ms; default 10 s. */
        public Builder purgeInterval(Duration d) {
            this.purgeInterval = atLeast("purgeInterval", d, Duration.ofMillis(100));
            return this;
        }

        /** Where Aeron directories go; default {@code /dev/shm}, or the temporary directory without it. */
        public Builder aeronDirectoryRoot(Path root) {
            this.aeronDirectoryRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /** Increment bytes between two snapshots the leader asks for; default 256 MiB, at least 1. */
        public Builder snapshotEveryBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("snapshotEveryBytes must be at least 1, was " + bytes);
            }
            this.snapshotEveryBytes = bytes;
            return this;
        }

        /**
         * The address the members reach a {@link ReplicatedStore} of this machine at; default 127.0.0.1 when every
         * member is on the loopback, else this machine's address ({@code InetAddress.getLocalHost()}).
         */
        public Builder clientHost(String host) {
            if (Objects.requireNonNull(host, "host").isBlank() || host.contains(":") && !host.startsWith("[")) {
                throw new IllegalArgumentException("clientHost '" + host + "' must be a host name or address without a port");
            }
            this.clientHost = host;
            return this;
        }

        /** The settings. */
        public ReplicationSettings build() {
            // Aeron's consensus module refuses this only when a member launches (a ClusterException naming
            // nanoseconds); say it here, where the two values are set.
            if (startupCanvassTimeout.toNanos() / leaderHeartbeatTimeout.toNanos() < 2) {
                throw new IllegalArgumentException("startupCanvassTimeout " + startupCanvassTimeout
                        + " must be at least twice leaderHeartbeatTimeout " + leaderHeartbeatTimeout);
            }
            return new ReplicationSettings(this);
        }

        private static Duration atLeast(String name, Duration d, Duration min) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", was " + d);
            }
            return d;
        }
    }
}
