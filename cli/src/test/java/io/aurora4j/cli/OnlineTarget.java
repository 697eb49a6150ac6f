package io.aurora4j.cli;

import io.aurora4j.store.Store;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The running JVM the online commands are tried against ({@link SlsOnlineTest} starts it as a child process): a
 * durable group "online" in the directory given, a counter at 41 committed once, then it prints READY and waits;
 * a line "get" prints the counter's value; end of input closes the group and exits.
 */
public final class OnlineTarget {
    private OnlineTarget() {
    }

    public static void main(String[] args) throws Exception {
        try (Group g = Group.builder("online").store(Store.directory(Path.of(args[0]))).checkpointEvery(Duration.ZERO).open();
             Group other = Group.inMemory("second")) {
            TLong counter = g.newLong("counter", 0);
            g.atomic(() -> counter.set(41));
            other.newLong("x", 0);
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("get")) {
                    System.out.println(counter.get());
                } else if (line.equals("set")) {
                    g.atomic(() -> counter.set(99));
                    System.out.println("SET");
                }
                System.out.flush();
            }
        }
    }
}
