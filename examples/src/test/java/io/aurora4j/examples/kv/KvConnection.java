package io.aurora4j.examples.kv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A test client connection to a {@link KvService}: writes command lines, reads reply lines. A reply counts only
 * when its line is complete (ends with a newline): a server killed in the middle of a write leaves a partial
 * line, which is not an acknowledgement. Not thread-safe.
 */
final class KvConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    KvConnection(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new java.io.BufferedInputStream(socket.getInputStream());
    }

    void send(String command) throws IOException {
        out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next complete reply line, or null if the connection ended first (a partial line is dropped). */
    String readReply() throws IOException {
        line.reset();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    /** Tells the server this client sends nothing more (it still reads). */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Sends {@code command} and returns its reply. */
    String call(String command) throws IOException {
        send(command);
        String reply = readReply();
        if (reply == null) {
            throw new IOException("the server closed the connection instead of answering '" + command + "'");
        }
        return reply;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
