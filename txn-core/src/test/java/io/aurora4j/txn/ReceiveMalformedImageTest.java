package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageLimitException;
import io.aurora4j.store.StoreCorruptedException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.aurora4j.txn.CraftedImages.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10 (items 11, 12): every malformed image fails {@code Group.receive} with a documented exception —
 * {@link StoreCorruptedException}, or {@link ImageLimitException} for a limit — whose message names the object
 * and what is wrong with it; never a {@code NullPointerException}, {@code IllegalStateException}, an
 * {@code ArrayIndexOutOfBoundsException} at first touch, or a group that fails later. One crafted image per
 * malformation; each is well framed (lengths, CRCs and trailer are right), so only its content is wrong.
 */
@Timeout(60)
class ReceiveMalformedImageTest {

    private record Case(String name, Class<? extends Exception> type, List<String> fragments, byte[] image) {
    }

    private static Case bad(String name, Class<? extends Exception> type, Consumer<CheckpointWriter> body, String... fragments) {
        return new Case(name, type, List.of(fragments), full(7, "crafted", body));
    }

    private static final int PAGE = 4096;

    private static List<Case> cases() {
        return List.of(
                bad("a long of 4 bytes", StoreCorruptedException.class,
                        w -> w.putObject("x", LONG, new byte[4]), "'x'", "4 bytes"),
                bad("a long of 9 bytes", StoreCorruptedException.class,
                        w -> w.putObject("x", LONG, new byte[9]), "'x'", "9 bytes"),
                bad("an undecodable ref", StoreCorruptedException.class,
                        w -> w.putObject("r", REF, new byte[] {(byte) 0xEE, 1, 2}), "'r'", "decode"),
                bad("an unknown kind", StoreCorruptedException.class,
                        w -> w.putObject("x", (byte) 9, new byte[8]), "'x'", "kind 9"),
                bad("the group kind under a user id", StoreCorruptedException.class,
                        w -> w.putObject("g2", GROUP, new byte[] {'g'}), "'g2'", "kind"),
                bad("a reserved id", StoreCorruptedException.class,
                        w -> w.putObject("\u0000other", LONG, longValue(1)), "reserved"),
                bad("region settings of 8 bytes", StoreCorruptedException.class,
                        w -> w.putObject("r", REGION, new byte[8]), "'r'", "8 bytes"),
                bad("a region page size that is not a power of two", StoreCorruptedException.class,
                        w -> w.putObject("r", REGION, regionMeta(1 << 20, 100)), "'r'", "page size"),
                bad("a region page size above 2^31", StoreCorruptedException.class,
                        w -> w.putObject("r", REGION, regionMeta(1 << 20, 1L << 33)), "'r'", "page size"),
                bad("a zero region capacity", StoreCorruptedException.class,
                        w -> w.putObject("r", REGION, regionMeta(0, PAGE)), "'r'", "capacity"),
                bad("a region capacity near Long.MAX_VALUE", StoreCorruptedException.class,
                        w -> w.putObject("r", REGION, regionMeta(Long.MAX_VALUE - 10, PAGE)), "'r'", "pages"),
                bad("a region page size larger than any record may be", ImageLimitException.class,
                        w -> w.putObject("r", REGION, regionMeta(1L << 30, 1 << 27)), "'r'", "maxRecordBytes"),
                bad("regions spanning more pages than maxRegionPages", ImageLimitException.class,
                        w -> w.putObject("r", REGION, regionMeta(((1L << 31) - 513) * 64, 64)), "'r'", "maxRegionPages"),
                bad("an 8 KiB page in a region of 4 KiB pages", StoreCorruptedException.class, w -> {
                    w.putObject("r", REGION, regionMeta(1 << 20, PAGE));
                    page(w, "r", 0, 2 * PAGE, (byte) 1);
                }, "'r'", "8192 bytes", "4096"),
                bad("a short page", StoreCorruptedException.class, w -> {
                    w.putObject("r", REGION, regionMeta(1 << 20, PAGE));
                    page(w, "r", 3, 100, (byte) 1);
                }, "'r'", "100 bytes"),
                bad("a page beyond the region", StoreCorruptedException.class, w -> {
                    w.putObject("r", REGION, regionMeta(16 * PAGE, PAGE));
                    page(w, "r", 16, PAGE, (byte) 1);
                }, "'r'", "page 16", "16 pages"),
                bad("a page of a long", StoreCorruptedException.class, w -> {
                    w.putObject("x", LONG, longValue(1));
                    page(w, "x", 0, PAGE, (byte) 1);
                }, "'x'", "not a region"),
                bad("a page of no object", StoreCorruptedException.class,
                        w -> page(w, "ghost", 0, PAGE, (byte) 1), "'ghost'", "no object"),
                bad("an entry of a long", StoreCorruptedException.class, w -> {
                    w.putObject("x", LONG, longValue(1));
                    w.putEntry("x", encoded("k"), encoded("v"));
                }, "'x'", "not a map"),
                bad("an entry of no object", StoreCorruptedException.class,
                        w -> w.putEntry("ghost", encoded("k"), encoded("v")), "'ghost'", "no object"),
                bad("an undecodable map key", StoreCorruptedException.class, w -> {
                    w.putObject("m", MAP, new byte[0]);
                    w.putEntry("m", new byte[] {(byte) 0xEE}, encoded("v"));
                }, "'m'", "key"),
                bad("an undecodable map value", StoreCorruptedException.class, w -> {
                    w.putObject("m", MAP, new byte[0]);
                    w.putEntry("m", encoded("k"), new byte[] {(byte) 0xEE});
                }, "'m'", "value"),
                new Case("no group object", StoreCorruptedException.class, List.of("no group object"),
                        image(7, -1, w -> w.putObject("x", LONG, longValue(1)))),
                new Case("the group object removed", StoreCorruptedException.class, List.of("group object"),
                        full(7, "crafted", w -> w.removeObject(GROUP_ID))));
    }

    @TestFactory
    Stream<DynamicTest> eachMalformationFailsWithADocumentedExceptionNamingWhatIsWrong() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Exception e = assertThrows(Exception.class, () -> {
                try (Group g = Group.receive(new ByteArrayInputStream(c.image()))) {
                    // a group that was built anyway fails at first touch: touch every region page
                    for (StateObject o : g.registry.all()) {
                        if (o instanceof Region r) {
                            r.getLong(0);
                            r.getLong(r.capacity() - 8);
                        }
                    }
                }
            }, c.name() + ": accepted");
            assertEquals(c.type(), e.getClass(), c.name() + ": " + e);
            for (String f : c.fragments()) {
                assertTrue(e.getMessage().contains(f), c.name() + ": the message should name " + f + ": " + e.getMessage());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> aWellFormedCraftedImageIsAccepted() {
        // the baseline of the table: the same crafting, right values, opens
        return Stream.of(DynamicTest.dynamicTest("every kind, right sizes", () -> {
            byte[] image = full(7, "crafted", w -> {
                w.putObject("x", LONG, longValue(42));
                w.putObject("s", REF, encoded("hello"));
                w.putObject("m", MAP, new byte[0]);
                w.putEntry("m", encoded("k"), encoded("v"));
                w.putObject("r", REGION, regionMeta(16 * PAGE + 100, PAGE));
                page(w, "r", 2, PAGE, (byte) 3);
                page(w, "r", 16, 100, (byte) 4); // the last page is short: capacity - base bytes
            });
            try (Group g = Group.receive(new ByteArrayInputStream(image))) {
                assertEquals(42, g.longRef("x").get());
                assertEquals("hello", g.ref("s").get());
                assertEquals("v", g.map("m").get("k"));
                assertEquals(3, g.region("r").getByte(2 * PAGE + 5));
                assertEquals(4, g.region("r").getByte(16 * PAGE + 99));
            }
        }));
    }
}
