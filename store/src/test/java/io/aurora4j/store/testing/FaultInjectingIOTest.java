package io.aurora4j.store.testing;

import io.aurora4j.store.StoreIO;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The fault model itself: what a power cut keeps and loses, and injected failures. */
class FaultInjectingIOTest {
    private static final Path DIR = Path.of("/d");

    private static byte[] read(FaultInjectingIO io, Path p) throws IOException {
        try (StoreIO.FileHandle h = io.open(p, false)) {
            ByteBuffer b = ByteBuffer.allocate((int) h.size());
            h.read(b, 0);
            return b.array();
        }
    }

    private static void write(StoreIO.FileHandle h, String s, long at) throws IOException {
        h.write(ByteBuffer.wrap(s.getBytes()), at);
    }

    @Test
    void aPowerCutKeepsOnlyForcedDataAndForcedDirectoryEntries() throws IOException {
        FaultInjectingIO io = new FaultInjectingIO(1);
        io.createDirectories(DIR);
        Path a = DIR.resolve("a");
        Path b = DIR.resolve("b");
        StoreIO.FileHandle h = io.open(a, true);
        write(h, "forced", 0);
        h.force();
        io.forceDirectory(DIR);
        write(h, "-lost", 6);
        io.open(b, true).close();                    // created, directory not forced
        assertEquals("forced-lost", new String(read(io, a)));
        io.powerCut();
        assertThrows(IOException.class, () -> io.list(DIR), "the power is off");
        assertThrows(IOException.class, () -> h.size(), "handles die with the process");
        io.powerOn();
        assertEquals(List.of("a"), io.list(DIR));
        assertEquals("forced", new String(read(io, a)));
        assertThrows(IOException.class, () -> h.size());

        io.rename(a, b);                              // not made durable
        io.delete(b);
        io.powerCut();
        io.powerOn();
        assertEquals(List.of("a"), io.list(DIR), "rename and delete without a directory force are undone");
        io.rename(a, b);
        io.forceDirectory(DIR);
        io.powerCut();
        io.powerOn();
        assertEquals(List.of("b"), io.list(DIR));
    }

    @Test
    void tornAndReorderedCutsKeepOnlyPiecesOfUnforcedWrites() throws IOException {
        for (FaultInjectingIO.CutMode mode : List.of(FaultInjectingIO.CutMode.TEAR, FaultInjectingIO.CutMode.REORDER)) {
            boolean sawPartial = false;
            for (int seed = 0; seed < 50; seed++) {
                FaultInjectingIO io = new FaultInjectingIO(seed);
                io.createDirectories(DIR);
                Path a = DIR.resolve("a");
                StoreIO.FileHandle h = io.open(a, true);
                io.forceDirectory(DIR);
                write(h, "0123456789", 0);
                write(h, "abcdefghij", 10);
                io.powerCut(mode);
                io.powerOn();
                String left = new String(read(io, a)).replace('\0', '.');
                assertTrue(left.length() <= 20);
                assertTrue(("0123456789abcdefghij".startsWith(left) || mode == FaultInjectingIO.CutMode.REORDER), left);
                sawPartial |= left.length() > 0 && left.length() < 20;
            }
            assertTrue(sawPartial, mode + " never kept part of the unforced writes");
        }
    }

    @Test
    void injectedFailuresHitTheNthCallOnceOrFromThenOn() throws IOException {
        FaultInjectingIO io = new FaultInjectingIO(1);
        io.createDirectories(DIR);
        io.failOn(FaultInjectingIO.Op.FORCE_DIRECTORY, 2, false);
        io.forceDirectory(DIR);
        assertThrows(IOException.class, () -> io.forceDirectory(DIR));
        io.forceDirectory(DIR);
        io.failOn(FaultInjectingIO.Op.LIST, 1, true);
        assertThrows(IOException.class, () -> io.list(DIR));
        assertThrows(IOException.class, () -> io.list(DIR));
        io.heal();
        assertEquals(List.of(), io.list(DIR));
        io.cutPowerAfter(1, FaultInjectingIO.CutMode.LOSE_UNFORCED);
        assertThrows(IOException.class, () -> io.forceDirectory(DIR));
        assertTrue(io.isPowerOff());
    }
}
