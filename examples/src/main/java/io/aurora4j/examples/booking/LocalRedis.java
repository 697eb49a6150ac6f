package io.aurora4j.examples.booking;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis server on a free loopback port, for the example and its tests: the {@code redis-server}
 * binary shipped in the {@code com.github.codemonstur:embedded-redis} jar from Maven Central, or, if that
 * cannot start, a {@code redis-server} found on the PATH (e.g. Debian's {@code apt-get install redis-server}).
 * Persistence is off. Close it to stop the server.
 */
public final class LocalRedis implements AutoCloseable {
    private final InetSocketAddress address;
    private final RedisServer embedded;
    private final Process process;
    /** Which server runs: for the example's output. */
    public final String description;

    private LocalRedis(InetSocketAddress address, RedisServer embedded, Process process, String description) {
        this.address = address;
        this.embedded = embedded;
        this.process = process;
        this.description = description;
    }

    /** The server's address. */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Starts a server.
     *
     * @throws IOException naming every way that was tried, if none could start a server
     */
    public static LocalRedis start() throws IOException {
        List<String> tried = new ArrayList<>();
        int port = freePort();
        try {
            RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
            waitUntilUp(port);
            return new LocalRedis(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), server, null,
                    "redis-server 6.2 from com.github.codemonstur:embedded-redis, port " + port);
        } catch (IOException | RuntimeException e) {
            tried.add("embedded-redis: " + e);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path exe = Path.of(dir, "redis-server");
            if (Files.isExecutable(exe)) {
                Process p = new ProcessBuilder(exe.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                try {
                    waitUntilUp(port);
                    return new LocalRedis(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null, p,
                            exe + ", port " + port);
                } catch (IOException e) {
                    p.destroyForcibly();
                    tried.add(exe + ": " + e);
                }
            }
        }
        tried.add("no redis-server on the PATH");
        throw new IOException("could not start a Redis server: " + String.join("; ", tried));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitUntilUp(int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for Redis", ie);
                }
            }
        }
        throw new IOException("Redis did not accept connections on port " + port + " within 10 s", last);
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.stop();
        }
        if (process != null) {
            process.destroy();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
