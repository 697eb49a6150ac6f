package io.aurora4j.examples.surface;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The published modules as a consumer sees them (Caffeine's {@code ModuleTest}): each exports exactly its API
 * package (and the SPI packages to the named Aurora4j modules only), opens nothing, and the core five resolve together
 * as named modules beside their dependencies. An accidental export, or a lost one, fails here. The BOM lists
 * exactly the published artifacts at the project's version.
 */
class ModuleTest {

    /** Module name to its exports: package, or "package to module,module". */
    static final Map<String, Set<String>> EXPECTED_EXPORTS = new LinkedHashMap<>();

    static {
        EXPECTED_EXPORTS.put("io.aurora4j.store", Set.of("io.aurora4j.store", "io.aurora4j.store.spi to io.aurora4j.txn"));
        EXPECTED_EXPORTS.put("io.aurora4j.notify", Set.of("io.aurora4j.notify"));
        EXPECTED_EXPORTS.put("io.aurora4j.txn", Set.of("io.aurora4j.txn",
                "io.aurora4j.txn.spi to io.aurora4j.boundary,io.aurora4j.speculation"));
        EXPECTED_EXPORTS.put("io.aurora4j.boundary", Set.of("io.aurora4j.boundary",
                "io.aurora4j.boundary.spi to io.aurora4j.speculation"));
        EXPECTED_EXPORTS.put("io.aurora4j.speculation", Set.of("io.aurora4j.speculation"));
        EXPECTED_EXPORTS.put("io.aurora4j.micrometer", Set.of("io.aurora4j.micrometer"));
    }

    /** A class of each module, to find where the build put it (a jar, or target/classes during {@code test}). */
    static final List<Class<?>> ONE_CLASS_OF_EACH = List.of(io.aurora4j.store.Store.class,
            io.aurora4j.notify.RollbackNotifier.class, io.aurora4j.txn.Group.class,
            io.aurora4j.boundary.Boundary.class, io.aurora4j.speculation.Speculation.class,
            io.aurora4j.micrometer.GroupMeterBinder.class);

    static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ModuleFinder builtModules() {
        return ModuleFinder.of(ONE_CLASS_OF_EACH.stream().map(ModuleTest::location).toArray(Path[]::new));
    }

    static String describe(ModuleDescriptor.Exports e) {
        return e.isQualified() ? e.source() + " to " + String.join(",", new TreeSet<>(e.targets())) : e.source();
    }

    @Test
    void eachPublishedModuleExportsExactlyItsApi() {
        Map<String, Set<String>> actual = new TreeMap<>();
        for (ModuleReference ref : builtModules().findAll()) {
            ModuleDescriptor d = ref.descriptor();
            actual.put(d.name(), d.exports().stream().map(ModuleTest::describe).collect(Collectors.toCollection(TreeSet::new)));
            assertFalse(d.isOpen(), d.name() + " is an open module");
            assertTrue(d.opens().isEmpty(), d.name() + " opens " + d.opens());
            assertFalse(d.isAutomatic(), d.name() + " has no module-info");
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        EXPECTED_EXPORTS.forEach((m, e) -> expected.put(m, new TreeSet<>(e)));
        assertEquals(expected, actual);
    }

    @Test
    void everyPackageNotExportedIsInternalOrAnSpi() {
        for (ModuleReference ref : builtModules().findAll()) {
            ModuleDescriptor d = ref.descriptor();
            Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
            for (String p : d.packages()) {
                assertTrue(exported.contains(p) || p.contains(".internal"),
                        d.name() + " has a package " + p + " that is neither exported nor under .internal");
            }
        }
    }

    @Test
    void thePublishedModulesResolveAsNamedModulesBesideTheirDependencies() {
        // Their dependencies as the consumer gets them: Agrona, JCTools and Resilience4j jars (automatic modules).
        List<Path> dependencies = List.of(org.agrona.DirectBuffer.class, org.jctools.queues.MpscArrayQueue.class,
                        io.github.resilience4j.circuitbreaker.CircuitBreaker.class, io.github.resilience4j.retry.Retry.class,
                        io.github.resilience4j.timelimiter.TimeLimiter.class, io.github.resilience4j.core.IntervalFunction.class)
                .stream().map(ModuleTest::location).distinct().toList();
        ModuleFinder all = ModuleFinder.compose(builtModules(), ModuleFinder.of(dependencies.toArray(Path[]::new)));
        Configuration cf = ModuleLayer.boot().configuration().resolve(all, ModuleFinder.of(), Set.of("io.aurora4j.speculation"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module txn = layer.findModule("io.aurora4j.txn").orElseThrow();
        Module speculation = layer.findModule("io.aurora4j.speculation").orElseThrow();
        Module unnamed = getClass().getModule();
        assertTrue(txn.isExported("io.aurora4j.txn", unnamed));
        assertFalse(txn.isExported("io.aurora4j.txn.spi", unnamed), "the SPI is for Aurora4j's own modules only");
        assertTrue(txn.isExported("io.aurora4j.txn.spi", speculation));
        Module store = layer.findModule("io.aurora4j.store").orElseThrow();
        assertFalse(store.isExported("io.aurora4j.store.spi", unnamed), "the store's SPI is for txn-core only");
        assertFalse(store.isExported("io.aurora4j.store.spi", speculation), "the store's SPI is for txn-core only");
        assertTrue(store.isExported("io.aurora4j.store.spi", txn));
        assertTrue(speculation.canRead(txn) && speculation.canRead(layer.findModule("io.aurora4j.store").orElseThrow()),
                "speculation reads txn-core and, through requires transitive, the store");
    }

    @Test
    void theBomManagesExactlyThePublishedArtifactsAtTheProjectVersion() throws Exception {
        Path root = Repo.root();
        Document parent = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(root.resolve("pom.xml").toFile());
        Document bom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(root.resolve("bom/pom.xml").toFile());
        assertEquals(childText(parent.getDocumentElement(), "version"), childText(bom.getDocumentElement(), "version"),
                "bom/pom.xml's version must be the parent's");
        Set<String> managed = new TreeSet<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element dep = (Element) deps.item(i);
            assertEquals("io.aurora4j", childText(dep, "groupId"));
            assertEquals("${project.version}", childText(dep, "version"));
            managed.add(childText(dep, "artifactId"));
        }
        Set<String> published = new TreeSet<>();
        for (String module : Repo.PUBLISHED) {
            assertTrue(root.resolve(module).resolve("src/main/java/module-info.java").toFile().isFile(), module);
            Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(root.resolve(module).resolve("pom.xml").toFile());
            published.add(childText(pom.getDocumentElement(), "artifactId"));
        }
        assertEquals(published, managed);
        assertEquals(Repo.PUBLISHED.stream().map(m -> "aurora4j-" + m).collect(Collectors.toCollection(TreeSet::new)), published);
    }

    private static String childText(Element parent, String tag) {
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().strip();
            }
        }
        throw new AssertionError("no <" + tag + "> in <" + parent.getTagName() + ">");
    }
}
