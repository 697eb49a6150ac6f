package io.aurora4j.store.durability;

import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.FaultInjectingIO.CutMode;
import io.aurora4j.store.testing.FaultInjectingIO.Image;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The durable log (Aurora's {@code sls_ntflush}): a record is on stable storage when append returns; numbers
 * never repeat, not even after a trim and a reopen; a torn tail is dropped; a power cut loses no
 * acknowledged record, even with concurrent appenders forced in groups.
 */
class DurableLogTest {
    private static final Path DIR = Path.of("/disk/store");

    @TempDir
    Path dir;

    private static byte[] r(int i) {
        return ("record-" + i).getBytes();
    }

    private static List<String> read(DurableLog log, long from) {
        List<String> out = new ArrayList<>();
        long[] expected = {-1};
        log.read(from, (n, rec) -> {
            if (expected[0] >= 0) {
                assertEquals(expected[0], n, "numbers are consecutive");
            }
            expected[0] = n + 1;
            out.add(n + "=" + new String(rec));
        });
        return out;
    }

    @Test
    void appendReadTrimAndReopenOnRealFiles() throws Exception {
        try (Store store = Store.directory(dir)) {
            DurableLog log = store.log("orders");
            assertSame(log, store.log("orders"));
            for (int i = 0; i < 100; i++) {
                assertEquals(i, log.append(r(i)));
            }
            assertEquals(100, log.nextNumber());
            assertEquals(List.of("98=record-98", "99=record-99"), read(log, 98));
            log.trimBefore(40);
            assertEquals("40=record-40", read(log, 0).get(0));
            assertEquals(60, read(log, 0).size());
        }
        long sizeBefore = Files.size(dir.resolve("log-orders.dat"));
        try (Store store = Store.directory(dir)) {
            DurableLog log = store.log("orders");
            assertEquals(100, log.nextNumber());
            log.trimBefore(90); // more than half: the file is rewritten
            assertTrue(Files.size(dir.resolve("log-orders.dat")) < sizeBefore / 2);
            assertEquals(100, log.append(r(100)));
        }
        try (Store store = Store.directory(dir)) {
            DurableLog log = store.log("orders");
            assertEquals(101, log.nextNumber());
            assertEquals(11, read(log, 0).size());
            assertEquals("90=record-90", read(log, 0).get(0));
            log.trimBefore(101); // everything: the numbering still survives a reopen
        }
        try (Store store = Store.directory(dir)) {
            DurableLog log = store.log("orders");
            assertEquals(101, log.nextNumber());
            assertEquals(List.of(), read(log, 0));
            assertEquals(101, log.append(r(101)));
            assertThrows(IllegalArgumentException.class, () -> log.trimBefore(500));
        }
    }

    @Test
    void logNamesThatAreNotPlainFileNamesAreRefused() {
        try (Store store = Store.memory(); Store disk = Store.directory(dir)) {
            for (String bad : new String[]{"", "a/b", "..", ".hidden", "a\\b", "sp ace", "x".repeat(101)}) {
                assertThrows(IllegalArgumentException.class, () -> store.log(bad), bad);
                assertThrows(IllegalArgumentException.class, () -> disk.log(bad), bad);
            }
            assertThrows(NullPointerException.class, () -> disk.log(null));
        }
    }

    @Test
    void theMemoryStoresLogNumbersAndTrimsTheSameWay() {
        try (Store store = Store.memory()) {
            DurableLog log = store.log("m");
            for (int i = 0; i < 10; i++) {
                assertEquals(i, log.append(r(i)));
            }
            log.trimBefore(7);
            assertEquals(List.of("7=record-7", "8=record-8", "9=record-9"), read(log, 0));
            log.trimBefore(10);
            assertEquals(10, log.append(r(10)));
            assertEquals(List.of("10=record-10"), read(log, 0));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aTornTailIsDroppedAtEveryCutOfTheLastRecord() {
        FaultInjectingIO io = new FaultInjectingIO(1);
        try (Store store = Store.directoryBuilder(DIR).io(io).open()) {
            for (int i = 0; i < 10; i++) {
                store.log("t").append(r(i));
            }
        }
        Image image = io.image();
        Path file = DIR.resolve("log-t.dat");
        byte[] full = image.files().get(file);
        int lastRecord = 16 + 9 * (16 + r(0).length);
        for (int cut = lastRecord; cut < full.length; cut++) {
            Image torn = image.copy();
            torn.files().put(file, Arrays.copyOf(full, cut));
            try (Store store = Store.directoryBuilder(DIR).io(FaultInjectingIO.of(torn, 1)).open()) {
                DurableLog log = store.log("t");
                assertEquals(9, log.nextNumber(), "cut at " + cut);
                assertEquals(9, read(log, 0).size());
                assertEquals(9, log.append(r(99)), "the number of the torn record is given again: it was never acknowledged");
            }
        }
        // a damaged record followed by intact ones is corruption, not a torn tail
        Image damaged = image.copy();
        damaged.files().get(file)[16 + 20] ^= 1;
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> Store.directoryBuilder(DIR).io(FaultInjectingIO.of(damaged, 1)).open().log("t"));
        assertEquals(file, e.file());
        assertEquals(16, e.offset());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPowerCutLosesNoAcknowledgedRecordOfConcurrentAppenders() throws Exception {
        Random random = new Random(4);
        int groupedForces = 0;
        for (int trial = 0; trial < 40; trial++) {
            FaultInjectingIO io = new FaultInjectingIO(trial);
            Map<Long, String> acknowledged = new ConcurrentHashMap<>();
            Store store = Store.directoryBuilder(DIR).io(io).open();
            DurableLog log = store.log("events");
            long forcesBefore = io.count(FaultInjectingIO.Op.FORCE);
            io.cutPowerAfter(5 + random.nextInt(60), CutMode.values()[random.nextInt(3)]);
            int threads = 4;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> appenders = new ArrayList<>();
            int[] appended = new int[1];
            for (int t = 0; t < threads; t++) {
                int id = t;
                appenders.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int i = 0; ; i++) {
                            String rec = "t" + id + "-" + i;
                            long n = log.append(rec.getBytes());
                            acknowledged.put(n, rec);
                            synchronized (appended) {
                                appended[0]++;
                            }
                        }
                    } catch (StoreException | InterruptedException stopped) {
                        // the power went out under us
                    }
                }));
            }
            start.countDown();
            for (Thread t : appenders) {
                t.join();
            }
            assertTrue(io.isPowerOff());
            long forces = io.count(FaultInjectingIO.Op.FORCE) - forcesBefore;
            if (forces < appended[0]) {
                groupedForces++;
            }
            store.close();
            io.powerOn();
            try (Store again = Store.directoryBuilder(DIR).io(io).open()) {
                DurableLog reopened = again.log("events");
                List<String> records = new ArrayList<>();
                reopened.read(0, (n, rec) -> records.add(n + "=" + new String(rec)));
                for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
                    assertTrue(records.contains(a.getKey() + "=" + a.getValue()),
                            "trial " + trial + ": acknowledged record " + a + " lost; have " + records);
                }
                for (int i = 0; i < records.size(); i++) {
                    assertTrue(records.get(i).startsWith(i + "="), "trial " + trial + ": a hole at " + i);
                }
            }
        }
        // not a requirement, but group commit should show up under 4 appenders at least sometimes
        System.out.println("durable log: trials where one force covered several appends: " + groupedForces + " of 40");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPowerCutDuringTrimsAndRewritesLosesNoAcknowledgedRecordAndNoNumber() {
        Random random = new Random(12);
        int rewrites = 0;
        for (int trial = 0; trial < 60; trial++) {
            FaultInjectingIO io = new FaultInjectingIO(trial);
            Map<Long, String> acknowledged = new java.util.HashMap<>();
            long trimmedTo = 0;
            long highest = -1;
            for (int cut = 0; cut < 3; cut++) {
                Store store = Store.directoryBuilder(DIR).io(io).open();
                DurableLog log = store.log("t");
                io.cutPowerAfter(1 + random.nextInt(30), CutMode.values()[random.nextInt(3)]);
                try {
                    while (true) {
                        String rec = "r" + trial + "-" + cut + "-" + random.nextInt(1000);
                        long n = log.append(rec.getBytes());
                        assertTrue(n > highest, "numbers never repeat");
                        highest = n;
                        acknowledged.put(n, rec);
                        if (random.nextInt(4) == 0) {
                            long to = n + 1 - random.nextInt(3);
                            long before = io.count(FaultInjectingIO.Op.RENAME);
                            log.trimBefore(to);
                            trimmedTo = Math.max(trimmedTo, to);
                            rewrites += (int) (io.count(FaultInjectingIO.Op.RENAME) - before);
                        }
                    }
                } catch (StoreException powerWentOut) {
                    assertTrue(io.isPowerOff(), "trial " + trial + ": " + powerWentOut);
                }
                store.close();
                io.powerOn();
                try (Store again = Store.directoryBuilder(DIR).io(io).open()) {
                    DurableLog reopened = again.log("t");
                    assertTrue(reopened.nextNumber() > highest || !acknowledged.containsKey(highest),
                            "trial " + trial + ": the numbering went back to " + reopened.nextNumber());
                    Map<Long, String> found = new java.util.HashMap<>();
                    reopened.read(0, (n, rec) -> found.put(n, new String(rec)));
                    for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
                        if (a.getKey() >= trimmedTo) {
                            assertEquals(a.getValue(), found.get(a.getKey()), "trial " + trial + ": record " + a.getKey());
                        }
                    }
                    highest = Math.max(highest, reopened.nextNumber() - 1);
                }
            }
        }
        assertTrue(rewrites > 10, "the trims must have rewritten the log: " + rewrites);
    }
}
