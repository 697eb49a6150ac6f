package io.aurora4j.examples.kv;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a {@link KvService}: {@code KvServer <data-directory> [port]} (port 7070 by default, 0 for any free
 * one). Prints how to talk to it and how to crash it, then a line {@code READY port=<port> pid=<pid>} once it
 * accepts connections (tests wait for that line). Runs until killed; a normal stop (Ctrl-C, {@code kill}) takes
 * a last checkpoint, {@code kill -9} does not, and loses nothing that was acknowledged.
 *
 * <p>Run: {@code ./build mvn -q -DskipTests -Pkv -pl examples -am package -Dkv.dir=/tmp/aurora-kv} (see
 * {@code examples/README.md}).
 */
public final class KvServer {
    private KvServer() {
    }

    /**
     * Runs the server.
     *
     * @param args the data directory, and optionally the port
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: KvServer <data-directory> [port]   (port 7070 by default, 0 for any free one)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 7070;
        KvService kv = KvService.start(dir, port);
        Runtime.getRuntime().addShutdownHook(new Thread(kv::close, "kv-shutdown"));
        long pid = ProcessHandle.current().pid();
        String client = "java examples/src/main/java/io/aurora4j/examples/kv/KvClient.java " + kv.port();
        System.out.println(kv.recovered()
                ? "kv: recovered " + kv.size() + " key(s) from " + dir + " (durable checkpoint #" + kv.newestCheckpointId() + ")"
                : "kv: new store in " + dir);
        System.out.println("kv: listening on 127.0.0.1:" + kv.port() + ", pid " + pid + ". From the repository root, try:");
        System.out.println("  " + client + " PUT greeting hello");
        System.out.println("  " + client + " INCR visits");
        System.out.println("  " + client + " load acked.txt     # writes until the server dies, records every acknowledged write");
        System.out.println("  kill -9 " + pid + "                 # crash it, then start it again with the same directory");
        System.out.println("  " + client + " verify acked.txt   # every acknowledged write survived?");
        System.out.println("READY port=" + kv.port() + " pid=" + pid);
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
