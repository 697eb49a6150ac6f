package io.aurora4j.replication;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Three replica nodes in this JVM on 127.0.0.1, on a free port range, in a directory of their own; {@link #close}
 * stops every node and removes the directories and this cluster's {@code /dev/shm} files.
 */
final class LocalCluster implements AutoCloseable {
    static final int MEMBERS = 3;
    /** Every test wait is bounded by this (a loaded 2-core machine is slow, never stuck). */
    static final long WAIT_MS = 90_000;

    final ReplicationSettings settings;
    final Path root;
    final ReplicaNode[] nodes = new ReplicaNode[MEMBERS];

    LocalCluster(String name) throws IOException {
        this(name, b -> b);
    }

    LocalCluster(String name, java.util.function.UnaryOperator<ReplicationSettings.Builder> tune) throws IOException {
        String clusterName = name + "-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        String[] members = freeMembers(MEMBERS);
        ReplicationSettings base = ReplicationSettings.forTests(clusterName, members);
        this.settings = tune.apply(ReplicationSettings.builder(members).clusterName(clusterName)
                .leaderHeartbeatTimeout(base.leaderHeartbeatTimeout())
                .startupCanvassTimeout(base.startupCanvassTimeout())
                .connectTimeout(base.connectTimeout())
                .commitTimeout(base.commitTimeout())).build();
        this.root = Files.createTempDirectory("aurora4j-replication-");
        try {
            for (int i = 0; i < MEMBERS; i++) {
                start(i);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    Path nodeDir(int i) {
        return root.resolve("node" + i);
    }

    ReplicaNode start(int i) {
        nodes[i] = ReplicaNode.launch(settings, i, nodeDir(i));
        return nodes[i];
    }

    void stop(int i) {
        if (nodes[i] != null) {
            nodes[i].close();
        }
    }

    ReplicaNode awaitLeader() {
        ReplicaNode[] found = new ReplicaNode[1];
        await("a leader among " + settings.members(), () -> {
            for (ReplicaNode n : nodes) {
                if (n != null && n.isLeader()) {
                    found[0] = n;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT_MS + " ms for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    @Override
    public void close() {
        for (ReplicaNode n : nodes) {
            if (n != null) {
                n.close();
            }
        }
        deleteShm(settings);
        deleteTree(root);
    }

    /** Removes every Aeron directory of the cluster (nodes and clients of this JVM). */
    static void deleteShm(ReplicationSettings settings) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(settings.aeronDirectoryRoot(),
                "aurora4j-" + settings.clusterName() + "-*")) {
            for (Path p : ds) {
                deleteTree(p);
            }
        } catch (IOException e) {
            throw new AssertionError("could not clean " + settings.aeronDirectoryRoot(), e);
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new AssertionError("could not delete " + p, e);
        }
    }

    /** {@code count} members, each with five free UDP (and TCP) ports in a row on 127.0.0.1. */
    static String[] freeMembers(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + ThreadLocalRandom.current().nextInt(0, 2_000) * 10;
            if (rangeFree(base, count * 10)) {
                List<String> m = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    m.add("127.0.0.1:" + (base + 10 * i));
                }
                return m.toArray(String[]::new);
            }
        }
        throw new AssertionError("no free range of ports on 127.0.0.1");
    }

    private static boolean rangeFree(int base, int n) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int p = base; p < base + n; p++) {
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, p));
                 ServerSocket s = new ServerSocket(p, 1, lo)) {
                d.getLocalPort();
                s.getLocalPort();
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
