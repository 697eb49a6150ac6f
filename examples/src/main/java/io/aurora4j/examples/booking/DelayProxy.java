package io.aurora4j.examples.booking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that adds a fixed round-trip delay: bytes from the client reach the server
 * {@code delay} after they arrived at the proxy (replies pass straight back). Pipelined requests are each
 * delayed by the same amount, not queued behind one another — like a network link with latency, not a slow
 * server. One virtual thread per direction per connection. Thread-safe; close it to stop.
 */
public final class DelayProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private record Chunk(long due, byte[] bytes) {
    }

    /** Starts a proxy on an ephemeral loopback port in front of {@code target}. */
    public DelayProxy(InetSocketAddress target, long delayNanos) throws IOException {
        this.target = target;
        this.delayNanos = delayNanos;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("delay-proxy-accept").start(this::accept);
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                BlockingQueue<Chunk> inFlight = new LinkedBlockingQueue<>();
                Thread.ofVirtual().start(() -> read(client, inFlight));
                Thread.ofVirtual().start(() -> deliverLate(inFlight, server));
                Thread.ofVirtual().start(() -> copy(server, client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("delay proxy: " + e);
                }
            }
        }
    }

    private void read(Socket from, BlockingQueue<Chunk> inFlight) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                inFlight.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
            }
        } catch (IOException ignored) {
            // the connection closed
        } finally {
            inFlight.add(new Chunk(0, null));
        }
    }

    private void deliverLate(BlockingQueue<Chunk> inFlight, Socket to) {
        try (OutputStream out = to.getOutputStream()) {
            while (true) {
                Chunk c = inFlight.take();
                if (c.bytes == null) {
                    return;
                }
                for (long wait; (wait = c.due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
                out.write(c.bytes);
                out.flush();
            }
        } catch (IOException | InterruptedException ignored) {
            // the connection closed
        }
    }

    private void copy(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // the connection closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
