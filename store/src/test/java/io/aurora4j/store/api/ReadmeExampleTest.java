package io.aurora4j.store.api;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.spi.StoredState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The example of store/README.md, verbatim between the markers, so that it compiles and runs. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRuns() {
        List<String> seen = new ArrayList<>();
        // README example begins
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(32).segmentBytes(16 << 20).open()) {
            try (CheckpointWriter w = store.begin(1, -1, "first")) {            // full: replaces everything
                w.putObject("accounts", (byte) 1, "header".getBytes());
                w.putEntry("accounts", "alice".getBytes(), "100".getBytes());
                w.putObject("heap", (byte) 2, new byte[0]);                     // the object before its pages
                w.putPage("heap", 0, new UnsafeBuffer(new byte[4096]), 0, 4096);
                w.commit();                                                     // durable when this returns
            }
            try (CheckpointWriter w = store.begin(2, 1, null)) {                // incremental over 1
                w.removeEntry("accounts", "alice".getBytes());
                w.commit();
            }
            StoredState s = store.state(store.lastDurable().orElseThrow().id());
            for (StoredState.StoredObject o : s.objects()) {
                seen.add(o.id() + ":" + o.kind());
            }
            s.forEachEntry("accounts", (key, value) -> seen.add(new String(key)));
            int length = s.readPage("heap", 0, new UnsafeBuffer(new byte[4096]), 0);

            DurableLog log = store.log("payments");
            long n = log.append("paid 10".getBytes());                          // forced when this returns
            log.read(0, (number, record) -> seen.add(number + "=" + new String(record)));
            log.trimBefore(n);
            // README example ends
            assertEquals(4096, length);
        }
        assertEquals(List.of("accounts:1", "heap:2", "0=paid 10"), seen);
    }
}
