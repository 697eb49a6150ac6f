package io.aurora4j.boundary;

import io.aurora4j.txn.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Byte sinks write each output as the frame the application chose. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SinksTest {

    @Test
    void aStreamSinkWritesOneLinePerOutputAfterCommit() throws Exception {
        try (Group g = Group.inMemory("stream")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Boundary<String> b = Boundary.<String>builder(g, "log").sink(Sink.stream(out, Framer.lines())).open();
            g.atomic(() -> {
                b.send("one");
                b.send("two");
            });
            b.flush().get(10, TimeUnit.SECONDS);
            assertEquals("one\ntwo\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aChannelSinkWritesLengthPrefixedFrames() throws Exception {
        try (Group g = Group.inMemory("channel")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Boundary<String> b = Boundary.<String>builder(g, "wire")
                    .sink(Sink.channel(Channels.newChannel(bytes), Framer.lengthPrefixed((String s) -> s.getBytes(StandardCharsets.UTF_8))))
                    .open();
            b.send("hi");
            b.send("there");
            b.flush().get(10, TimeUnit.SECONDS);
            ByteBuffer in = ByteBuffer.wrap(bytes.toByteArray());
            assertEquals("hi", frame(in));
            assertEquals("there", frame(in));
            assertEquals(0, in.remaining());
        }
    }

    private static String frame(ByteBuffer in) {
        byte[] body = new byte[in.getInt()];
        in.get(body);
        return new String(body, StandardCharsets.UTF_8);
    }
}
