package io.aurora4j.benchmarks;

import io.aurora4j.replication.ReplicaNode;
import io.aurora4j.replication.ReplicationSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Three {@link ReplicaNode}s in this JVM on 127.0.0.1 (a free port range, a directory of their own under the
 * benchmark directory, default settings — the 3 s heartbeat timeout included — but a 6 s start-up canvass (Aeron wants at least twice the heartbeat timeout) so that
 * the set-up is quick),
 * and the free-port and clean-up helpers the bare Aeron baseline shares. {@link #close} stops the members and
 * removes their directories and every {@code /dev/shm/aurora4j-<cluster>-*} file. Not thread-safe.
 */
final class ReplicaClusters implements AutoCloseable {
    final ReplicationSettings settings;
    final Path dir;
    final ReplicaNode[] nodes = new ReplicaNode[3];

    ReplicaClusters(String name, boolean lowCpu) {
        String[] members = freeMembers(3);
        this.settings = ReplicationSettings.builder(members).clusterName(uniqueName(name))
                .startupCanvassTimeout(Duration.ofSeconds(6)) // Aeron wants at least twice the heartbeat timeout
                .connectTimeout(Duration.ofSeconds(60)).commitTimeout(Duration.ofSeconds(60))
                .lowCpu(lowCpu).build();
        this.dir = DurableDirs.create(name);
        try {
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = ReplicaNode.launch(settings, i, dir.resolve("node" + i));
            }
            await("a leader", () -> {
                for (ReplicaNode n : nodes) {
                    if (n.isLeader()) {
                        return true;
                    }
                }
                return false;
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            for (ReplicaNode n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        } finally {
            deleteShm(settings.clusterName());
            DurableDirs.delete(dir);
        }
    }

    static String uniqueName(String name) {
        return name + "-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    }

    /** Removes {@code /dev/shm/aurora4j-<cluster>-*} (members and clients of this JVM; a crashed one's too). */
    static void deleteShm(String cluster) {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(shm, "aurora4j-" + cluster + "-*")) {
            for (Path p : ds) {
                DurableDirs.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited 120 s for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    /** {@code count} members {@code 127.0.0.1:port}, each with five free UDP and TCP ports from its port. */
    static String[] freeMembers(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 30_000 + ThreadLocalRandom.current().nextInt(0, 2_000) * 10;
            if (rangeFree(base, count * 10)) {
                String[] m = new String[count];
                for (int i = 0; i < count; i++) {
                    m[i] = "127.0.0.1:" + (base + 10 * i);
                }
                return m;
            }
        }
        throw new IllegalStateException("no free range of ports on 127.0.0.1");
    }

    private static boolean rangeFree(int base, int n) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int p = base; p < base + n; p++) {
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, p));
                 ServerSocket s = new ServerSocket(p, 1, lo)) {
                if (d.getLocalPort() != p || s.getLocalPort() != p) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
