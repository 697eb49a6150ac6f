package io.aurora4j.cli;

import io.aurora4j.cli.SlsRunner.Run;
import io.aurora4j.store.Store;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TRef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.aurora4j.cli.SlsRunner.sls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sls dump/diff --codecs CLASS [--classpath PATH]}: values of the application's own types decoded with its codecs. */
class SlsCodecsTest {
    @TempDir
    static Path tmp;
    static Path store;
    static long first;
    static long second;

    @BeforeAll
    static void write() throws Exception {
        store = tmp.resolve("shop");
        try (Group g = Group.builder("shop").jmx(false).store(Store.directory(store)).codecs(new ShopCodecs().get())
                .checkpointEvery(Duration.ZERO).open()) {
            TRef<ShopCodecs.Price> price = g.newRef("price", new ShopCodecs.Price("EUR", 199));
            Checkpoint a = g.barrier().get(10, TimeUnit.SECONDS); // each state durable: one stored checkpoint per step
            g.atomic(() -> price.set(new ShopCodecs.Price("EUR", 249)));
            Checkpoint b = g.barrier().get(10, TimeUnit.SECONDS);
            first = a.id();
            second = b.id();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void dumpDecodesTheApplicationsTypeOnlyWithItsCodecs() {
        Map<String, Object> raw = (Map<String, Object>) sls("dump", store, "price", "--json").json().get("value");
        assertTrue(raw.containsKey("hex") && raw.containsKey("undecodable"), raw.toString());

        String testClasses = Path.of(ShopCodecs.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        Run r = sls("dump", store, "price", "--json", "--codecs", ShopCodecs.class.getName(), "--classpath", testClasses);
        assertEquals(Sls.OK, r.code(), r.err());
        Map<String, Object> value = (Map<String, Object>) r.json().get("value");
        assertEquals(ShopCodecs.Price.class.getName(), value.get("type"));
        assertEquals("Price[currency=EUR, cents=249]", value.get("value"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void diffDecodesBothSidesWithTheApplicationsCodecs() {
        Run r = sls("diff", store, first, second, "--json", "--codecs", ShopCodecs.class.getName());
        assertEquals(Sls.OK, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("Price[currency=EUR, cents=199]") && out.contains("Price[currency=EUR, cents=249]"), out);
    }

    @Test
    void aCodecsClassThatCannotBeUsedIsAUsageError() {
        Run missing = sls("dump", store, "price", "--codecs", "com.example.NoSuchCodecs");
        assertEquals(Sls.USAGE, missing.code());
        assertTrue(missing.err().contains("com.example.NoSuchCodecs"), missing.err());
        Run notASupplier = sls("dump", store, "price", "--codecs", String.class.getName());
        assertEquals(Sls.USAGE, notASupplier.code());
        assertTrue(notASupplier.err().contains("Supplier"), notASupplier.err());
        Run classpathAlone = sls("dump", store, "price", "--classpath", tmp);
        assertEquals(Sls.USAGE, classpathAlone.code());
        assertTrue(classpathAlone.err().contains("--codecs"), classpathAlone.err());
    }
}
