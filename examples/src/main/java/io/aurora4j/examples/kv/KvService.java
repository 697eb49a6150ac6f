package io.aurora4j.examples.kv;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.DeadLetter;
import io.aurora4j.boundary.Sink;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TMap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A crash-surviving key-value service: its state is a {@link TMap} in a durable {@link Group} (a store in a
 * directory, checkpointed every 10 ms, only what changed), and every reply leaves through an {@code EXTERNAL}
 * {@link Boundary}. A reply is therefore sent only once the checkpoint containing the write it reports (or the
 * state it read) is on disk: a client is only ever told about writes that survive {@code kill -9}.
 *
 * <h2>Protocol</h2>
 * One command per line over TCP on the loopback interface, one reply line per command, in order:
 * <table class="striped">
 *   <caption>Commands and replies</caption>
 *   <tr><th>command</th><th>reply</th></tr>
 *   <tr><td>{@code PUT key value...}</td><td>{@code OK value} (the value is the rest of the line)</td></tr>
 *   <tr><td>{@code GET key}</td><td>{@code VALUE value}, or {@code NIL}</td></tr>
 *   <tr><td>{@code INCR key}</td><td>{@code OK n}: the key's value plus one (a missing key counts as 0)</td></tr>
 *   <tr><td>{@code DEL key}</td><td>{@code OK 1} if it existed, {@code OK 0} if not</td></tr>
 *   <tr><td>{@code SIZE}</td><td>{@code OK n}: the number of keys</td></tr>
 *   <tr><td>{@code QUIT}</td><td>{@code BYE}, then the server closes the connection</td></tr>
 *   <tr><td>anything else</td><td>{@code ERR ...}</td></tr>
 * </table>
 * Each command runs as one transaction ({@code group.atomic}), so concurrent clients are serializable. Replies
 * to reads wait too: a {@code GET} that sees a write not yet durable must not reveal it before it is.
 *
 * <h2>Failures</h2>
 * If the store fails (a write or {@code fsync} fails), the group fails closed: replies still held are never
 * sent. They reach the boundary's dead-letter handler, which tells their client {@code ERR unknown outcome}
 * and closes the connection; a later write fails at once with {@code ERR store failed} (its transaction rolls
 * back). A client that disconnected simply loses its replies (its writes stay).
 *
 * <p>Thread-safe. One virtual thread per connection runs its commands in order; one release task writes the
 * replies. {@link #close()} stops accepting, closes connections and closes the group (a last checkpoint to
 * disk).
 */
public final class KvService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KvService.class.getName());

    private final Group group;
    private final TMap<String, String> data;
    private final Boundary<Reply> replies;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final boolean recovered;
    private volatile boolean closing;

    /** A reply on its way to a connection ({@code line} null: none); {@code last} closes the connection once written. */
    private record Reply(Connection to, String line, boolean last) {
    }

    private KvService(Store store, int port, Duration checkpointEvery) throws IOException {
        this.recovered = store.lastDurable().isPresent();
        this.group = Group.builder("kv").store(store).checkpointEvery(checkpointEvery).open();
        TMap<String, String> map;
        try {
            map = group.map("data"); // recovered from the store
        } catch (NoSuchElementException fresh) {
            map = group.newMap("data");
        }
        this.data = map;
        this.replies = Boundary.<Reply>builder(group, "replies")
                .sink(Sink.of(KvService::write))
                .deadLetterHandler(this::undelivered)
                .open();
        try {
            this.server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            group.close();
            throw e;
        }
        this.acceptor = Thread.ofPlatform().name("kv-acceptor").daemon().start(this::accept);
    }

    /**
     * Opens (or recovers) the service's state in {@code directory} and listens on {@code port} of the loopback
     * interface ({@code 0}: any free port, see {@link #port()}); checkpoints every 10 ms.
     *
     * @throws IOException if the port cannot be bound
     * @throws io.aurora4j.store.StoreException if the directory cannot be used (another server holds it, say)
     */
    public static KvService start(Path directory, int port) throws IOException {
        return start(directory, port, Duration.ofMillis(10));
    }

    /** As {@link #start(Path, int)}, with the group's checkpoint period. */
    public static KvService start(Path directory, int port, Duration checkpointEvery) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(checkpointEvery, "checkpointEvery");
        return start(Store.directory(directory), port, checkpointEvery);
    }

    /**
     * As {@link #start(Path, int, Duration)}, on any {@link Store} that holds the service's group or nothing yet
     * (a replicated store, say: {@code ReplicatedKvServer}); the service owns the store from then on and closes it
     * with the group. If the port cannot be bound, the store is closed too.
     */
    public static KvService start(Store store, int port, Duration checkpointEvery) throws IOException {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(checkpointEvery, "checkpointEvery");
        return new KvService(store, port, checkpointEvery);
    }

    /** The port the service listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Whether the state was recovered from a store that already held it. */
    public boolean recovered() {
        return recovered;
    }

    /** The number of keys (a consistent read). */
    public int size() {
        return data.size();
    }

    /** The id of the newest checkpoint (after a recovery: the recovered one, until the next is taken). */
    public long newestCheckpointId() {
        var history = group.history();
        return history.isEmpty() ? -1 : history.get(history.size() - 1).id();
    }

    private void accept() {
        while (!closing) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.log(System.Logger.Level.ERROR, "kv: accept failed; the service stops accepting", e);
                }
                return;
            }
            Connection c = new Connection(socket);
            connections.add(c);
            Thread.ofVirtual().name("kv-conn-" + socket.getPort()).start(() -> serve(c));
        }
    }

    private void serve(Connection c) {
        boolean endOfInput = false;
        try {
            // Not closed when done: closing a socket's input stream closes the socket, and replies may still be held.
            BufferedReader in = new BufferedReader(new InputStreamReader(c.socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (!execute(c, line)) {
                    return; // QUIT (its BYE closes the connection) or a failure that closed it
                }
            }
            endOfInput = true;
        } catch (IOException e) {
            c.close(); // reset by the client: nobody reads the replies any more
        } finally {
            connections.remove(c);
        }
        if (endOfInput) {
            // The client is done sending (it may still read): close once every earlier reply has gone out.
            try {
                replies.send(new Reply(c, null, true));
            } catch (RuntimeException e) {
                c.close();
            }
        }
    }

    /** Runs one command; false if the connection is done. */
    private boolean execute(Connection c, String line) {
        String[] words = line.strip().split("\\s+", 3);
        String command = words[0].toUpperCase(java.util.Locale.ROOT);
        try {
            switch (command) {
                case "PUT" -> {
                    if (words.length < 3) {
                        return reply(c, "ERR usage: PUT key value");
                    }
                    String key = words[1];
                    String value = words[2];
                    group.atomic(() -> {
                        data.put(key, value);
                        replies.send(new Reply(c, "OK " + value, false));
                    });
                }
                case "GET" -> {
                    if (words.length != 2) {
                        return reply(c, "ERR usage: GET key");
                    }
                    group.atomic(() -> {
                        String v = data.get(words[1]);
                        replies.send(new Reply(c, v == null ? "NIL" : "VALUE " + v, false));
                    });
                }
                case "INCR" -> {
                    if (words.length != 2) {
                        return reply(c, "ERR usage: INCR key");
                    }
                    String key = words[1];
                    String failure = group.atomic(() -> {
                        String v = data.get(key);
                        long n;
                        try {
                            n = v == null ? 1 : Math.addExact(Long.parseLong(v), 1);
                        } catch (NumberFormatException | ArithmeticException e) {
                            return "ERR the value of " + key + " is not an integer below 2^63-1";
                        }
                        data.put(key, Long.toString(n));
                        replies.send(new Reply(c, "OK " + n, false));
                        return null;
                    });
                    if (failure != null) {
                        return reply(c, failure);
                    }
                }
                case "DEL" -> {
                    if (words.length != 2) {
                        return reply(c, "ERR usage: DEL key");
                    }
                    group.atomic(() -> replies.send(new Reply(c, data.remove(words[1]) != null ? "OK 1" : "OK 0", false)));
                }
                case "SIZE" -> group.atomic(() -> replies.send(new Reply(c, "OK " + data.size(), false)));
                case "QUIT" -> {
                    replies.send(new Reply(c, "BYE", true));
                    return false;
                }
                case "" -> {
                    return true;
                }
                default -> {
                    return reply(c, "ERR unknown command " + words[0] + " (PUT, GET, INCR, DEL, SIZE, QUIT)");
                }
            }
            return true;
        } catch (StoreFailedException e) {
            // The group's store failed: nothing can be acknowledged any more (the transaction rolled back).
            c.writeAndClose("ERR store failed: the service can acknowledge nothing more");
            return false;
        } catch (IllegalStateException e) {
            if (closing) {
                return false; // the group closed under us
            }
            throw e;
        }
    }

    /**
     * An error reply, in order with the replies before it: through the boundary too (outside a transaction it
     * waits only for the state the connection's earlier commands saw).
     */
    private boolean reply(Connection c, String line) {
        replies.send(new Reply(c, line, false));
        return true;
    }

    /** The boundary's sink: on its release task, one reply at a time. */
    private static void write(Reply r) {
        try {
            if (r.line != null) {
                r.to.writeLine(r.line);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (r.last) {
                r.to.close();
            }
        }
    }

    private void undelivered(DeadLetter<? extends Reply> letter) {
        Reply r = letter.output();
        if (letter.cause() instanceof StoreFailedException) {
            // Never released: its write may be in memory but is not durable. Say so, and end the connection.
            r.to.writeAndClose("ERR unknown outcome: the store failed before this write was durable");
        } else if (!closing && !r.to.isClosed()) {
            LOG.log(System.Logger.Level.DEBUG, "kv: a client went away before its reply: " + letter);
        }
    }

    /** Stops accepting, closes every connection, then the group (its last checkpoint goes to disk). Idempotent. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        replies.flush().exceptionally(e -> null).join(); // every reply of committed work is out (or dead-lettered)
        for (Connection c : connections) {
            c.close();
        }
        try {
            acceptor.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replies.close();
        group.close();
    }

    /** One client connection; its output stream is written by the release task, or by the error paths, under a lock. */
    private static final class Connection {
        final Socket socket;
        private final ReentrantLock writing = new ReentrantLock();
        private OutputStream out; // guarded by writing

        Connection(Socket socket) {
            this.socket = socket;
        }

        void writeLine(String line) throws IOException {
            writing.lock();
            try {
                if (out == null) {
                    out = socket.getOutputStream();
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } finally {
                writing.unlock();
            }
        }

        void writeAndClose(String line) {
            try {
                writeLine(line);
            } catch (IOException ignored) {
                // the client is gone already
            } finally {
                close();
            }
        }

        boolean isClosed() {
            return socket.isClosed();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to say to this client
            }
        }
    }

}
