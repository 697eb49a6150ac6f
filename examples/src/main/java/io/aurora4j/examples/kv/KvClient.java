package io.aurora4j.examples.kv;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client of the {@link KvService} line protocol that needs nothing but a JDK 17 or newer: run it straight
 * from its source file, from the repository root:
 * <pre>
 * java examples/src/main/java/io/aurora4j/examples/kv/KvClient.java 7070 PUT greeting hello   # one command, prints the reply
 * java examples/src/main/java/io/aurora4j/examples/kv/KvClient.java 7070 load acked.txt      # writes until the server dies
 * java examples/src/main/java/io/aurora4j/examples/kv/KvClient.java 7070 verify acked.txt    # did every acknowledged write survive?
 * </pre>
 * {@code load} writes fresh keys ({@code PUT load-<run>-<i> value-<i>}) and increments a counter
 * ({@code INCR load-<run>-counter}) one command at a time, and appends every acknowledged write to the file as
 * soon as its acknowledgement arrives, so the file is exactly what the server promised. {@code verify} reads the
 * keys back (all requests at once, then all replies) and checks each promise: every acknowledged {@code PUT} is
 * there with its value, every counter is at least its highest acknowledged value.
 *
 * <p>Uses only Java 17 so that the default {@code java} of a machine runs it. Not thread-safe (a command-line
 * program).
 */
public final class KvClient {
    private KvClient() {
    }

    /**
     * Runs the client.
     *
     * @param args the port, then a command: {@code load FILE [COUNT]}, {@code verify FILE}, or a protocol command
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KvClient <port> <PUT key value | GET key | INCR key | DEL key | SIZE>");
            System.err.println("       KvClient <port> load <acked-file> [count]   writes until done or the server dies");
            System.err.println("       KvClient <port> verify <acked-file>         checks every acknowledged write");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int status;
        if (args[1].equals("load") && args.length >= 3) {
            status = load(port, Path.of(args[2]), args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE);
        } else if (args[1].equals("verify") && args.length == 3) {
            status = verify(port, Path.of(args[2]));
        } else {
            status = command(port, String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(status);
    }

    private static Socket connect(int port) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), port);
    }

    private static int command(int port, String line) throws IOException {
        try (Socket s = connect(port)) {
            Writer out = new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write(line + "\n");
            out.flush();
            String reply = in.readLine();
            System.out.println(reply == null ? "(the server closed the connection without a reply)" : reply);
            return reply == null || reply.startsWith("ERR") ? 1 : 0;
        }
    }

    private static int load(int port, Path acked, long count) throws IOException {
        String run = Long.toString(System.currentTimeMillis(), 36);
        String counter = "load-" + run + "-counter";
        long done = 0;
        try (Socket s = connect(port);
             Writer file = Files.newBufferedWriter(acked, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            Writer out = new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            System.out.println("load: writing keys load-" + run + "-* and " + counter + "; every acknowledged write goes to " + acked);
            try {
                for (long i = 1; i <= count; i++) {
                    boolean put = i % 2 == 1;
                    String request = put ? "PUT load-" + run + "-" + i + " value-" + i : "INCR " + counter;
                    out.write(request + "\n");
                    out.flush();
                    String reply = in.readLine();
                    if (reply == null) {
                        break;
                    }
                    if (!reply.startsWith("OK ")) {
                        System.out.println("load: unexpected reply to '" + request + "': " + reply);
                        break;
                    }
                    // The acknowledgement arrived: the server promises this write survives a crash.
                    file.write((put ? request : "INCR " + counter + " " + reply.substring(3)) + "\n");
                    file.flush();
                    done++;
                    if (done % 100 == 0) {
                        System.out.println("load: " + done + " acknowledged writes");
                    }
                }
            } catch (IOException e) {
                // the server died: what was acknowledged is in the file
            }
        } catch (IOException e) {
            System.out.println("load: cannot connect to 127.0.0.1:" + port + ": " + e.getMessage());
            return 1;
        }
        System.out.println("load: stopped after " + done + " acknowledged writes (recorded in " + acked + ")");
        return 0;
    }

    private static int verify(int port, Path acked) throws IOException, InterruptedException {
        Map<String, String> puts = new LinkedHashMap<>();
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String line : Files.readAllLines(acked, StandardCharsets.UTF_8)) {
            String[] w = line.split(" ", 3);
            if (w.length == 3 && w[0].equals("PUT")) {
                puts.put(w[1], w[2]); // the last acknowledged value of the key
            } else if (w.length == 3 && w[0].equals("INCR")) {
                counters.merge(w[1], Long.parseLong(w[2]), Math::max);
            }
        }
        List<String> keys = new ArrayList<>(puts.keySet());
        keys.addAll(counters.keySet());
        List<String> replies = new ArrayList<>(keys.size());
        try (Socket s = connect(port)) {
            Writer out = new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            // All requests first, from another thread, so that neither side waits for the other's buffers.
            Thread writer = new Thread(() -> {
                try {
                    for (String k : keys) {
                        out.write("GET " + k + "\n");
                    }
                    out.flush();
                } catch (IOException e) {
                    // the reader sees the connection end
                }
            });
            writer.start();
            for (int i = 0; i < keys.size(); i++) {
                String reply = in.readLine();
                if (reply == null) {
                    System.out.println("verify: the server closed the connection after " + i + " replies");
                    return 1;
                }
                replies.add(reply);
            }
            writer.join();
        }
        int lost = 0;
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String reply = replies.get(i);
            if (puts.containsKey(key)) {
                if (!reply.equals("VALUE " + puts.get(key))) {
                    lost++;
                    System.out.println("verify: LOST " + key + ": acknowledged '" + puts.get(key) + "', now " + reply);
                }
            } else {
                long atLeast = counters.get(key);
                long now = reply.startsWith("VALUE ") ? Long.parseLong(reply.substring(6)) : 0;
                if (now < atLeast) {
                    lost++;
                    System.out.println("verify: LOST " + key + ": acknowledged " + atLeast + ", now " + now);
                }
            }
        }
        long writes = Files.readAllLines(acked, StandardCharsets.UTF_8).size();
        if (lost == 0) {
            System.out.println("verify: all " + writes + " acknowledged writes survived (" + puts.size() + " keys, "
                    + counters.size() + " counters checked)");
            return 0;
        }
        System.out.println("verify: " + lost + " acknowledged write(s) LOST");
        return 1;
    }
}
