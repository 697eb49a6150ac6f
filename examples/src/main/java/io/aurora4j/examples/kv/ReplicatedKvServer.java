package io.aurora4j.examples.kv;

import io.aurora4j.replication.ReplicatedStore;
import io.aurora4j.replication.ReplicationSettings;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a {@link KvService} whose group lives on a replicated store: every checkpoint is committed through an
 * Aeron Cluster of {@code io.aurora4j.replication.ReplicaNode}s before the replies it holds are sent, so an
 * acknowledged write survives {@code kill -9} of this process <em>and</em> the loss of its machine. Started on
 * any machine that reaches the members, it becomes the one writer (fencing a previous server that may still
 * run) and restores the newest committed checkpoint.
 *
 * <p>{@code ReplicatedKvServer <cluster-name> <host:port,host:port,host:port> [port] [--heartbeat-timeout-ms N]
 * [--client-host HOST]}: the members as given to every {@code ReplicaNode}, the port to listen on (7070 by default,
 * 0 for any free one) on the loopback interface, the members' heartbeat timeout (3000 by default; the same as the
 * members'), and the address the members reach this process at (127.0.0.1 when every member is on the loopback).
 * Prints {@code READY port=<port> pid=<pid>} once it accepts connections. Needs
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (Agrona). See {@code examples/README.md}.
 */
public final class ReplicatedKvServer {
    private ReplicatedKvServer() {
    }

    /**
     * Runs the server until it is killed (a plain {@code kill} closes it cleanly: a last checkpoint committed).
     *
     * @param args the cluster's name, its members, then optionally the port and the options above
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ReplicatedKvServer <cluster-name> <host:port,host:port,host:port> [port]"
                    + " [--heartbeat-timeout-ms N] [--client-host HOST]");
            System.exit(2);
        }
        ReplicationSettings.Builder settings = ReplicationSettings.builder(args[1].split(",")).clusterName(args[0]);
        int port = 7070;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--heartbeat-timeout-ms" -> settings.leaderHeartbeatTimeout(Duration.ofMillis(Long.parseLong(args[++i])));
                case "--client-host" -> settings.clientHost(args[++i]);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]);
                    }
                    port = Integer.parseInt(args[i]);
                }
            }
        }
        // Becomes the writer: from here on a previous server of this cluster can commit (and release) nothing more.
        ReplicatedStore store = ReplicatedStore.open(settings.build());
        KvService kv = KvService.start(store, port, Duration.ofMillis(10));
        Runtime.getRuntime().addShutdownHook(new Thread(kv::close, "kv-shutdown"));
        long pid = ProcessHandle.current().pid();
        System.out.println(kv.recovered()
                ? "kv: restored " + kv.size() + " key(s) from cluster " + args[0] + " (committed checkpoint #"
                        + kv.newestCheckpointId() + ", writer term " + store.writerTerm() + ")"
                : "kv: new group on cluster " + args[0] + " (writer term " + store.writerTerm() + ")");
        System.out.println("kv: listening on 127.0.0.1:" + kv.port() + ", pid " + pid
                + "; kill -9 it and start this command again (here or on another machine): nothing acknowledged is lost");
        System.out.println("READY port=" + kv.port() + " pid=" + pid);
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
