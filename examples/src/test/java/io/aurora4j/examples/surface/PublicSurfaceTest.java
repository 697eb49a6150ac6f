package io.aurora4j.examples.surface;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import org.junit.jupiter.api.Test;

import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every type and every public or protected member a user can see — in the packages the published modules export
 * to everyone (see {@link ModuleTest}; the SPI packages exported to Aurora4j's own modules are not seen by users)
 * — has a javadoc comment, and so has every exported package. The sources are parsed
 * with javac's tree API, as javadoc would see them: interface members count as public, an {@code @Override}
 * inherits its comment, private and package-private code is not API. The compiler's doclint (in each published
 * pom) checks what the comments say is well formed; this test checks that they are there. It deliberately does
 * not ask for an {@code @param}/{@code @return} on every method: a sentence that says it is better than a
 * copy-pasted tag.
 */
class PublicSurfaceTest {

    /** "file:line kind name" of each undocumented API element of the given sources. */
    static List<String> undocumented(List<Path> sources) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> missing = new ArrayList<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            JavacTask task = (JavacTask) javac.getTask(null, files, d -> { }, List.of("-proc:none"), null, units);
            DocTrees docs = DocTrees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                if (unit.getSourceFile().getName().endsWith("package-info.java")) {
                    if (docs.getDocCommentTree(new TreePath(unit)) == null && unit.getPackage() != null
                            && docs.getDocCommentTree(new TreePath(new TreePath(unit), unit.getPackage())) == null) {
                        missing.add(unit.getSourceFile().getName() + " package " + unit.getPackageName());
                    }
                    continue;
                }
                new TreePathScanner<Void, Boolean>() {
                    @Override
                    public Void visitClass(ClassTree c, Boolean enclosingVisible) {
                        boolean topLevel = getCurrentPath().getParentPath().getLeaf() instanceof CompilationUnitTree;
                        boolean visible = topLevel ? c.getModifiers().getFlags().contains(Modifier.PUBLIC)
                                : enclosingVisible && memberVisible(c.getModifiers());
                        if (!visible) {
                            return null; // nothing inside a hidden type is API
                        }
                        check(c.getSimpleName().toString(), "type");
                        ClassTree outer = current;
                        current = c;
                        try {
                            // scan(TreePath) clears the current path when it returns: keep this one
                            TreePath here = getCurrentPath();
                            for (Tree member : c.getMembers()) {
                                scan(new TreePath(here, member), true);
                            }
                        } finally {
                            current = outer;
                        }
                        return null;
                    }

                    private ClassTree current;

                    @Override
                    public Void visitMethod(MethodTree m, Boolean visible) {
                        boolean generated = m.getName().contentEquals("<init>") && isGeneratedConstructor(m);
                        if (!generated && memberVisible(m.getModifiers()) && !overrides(m.getModifiers())) {
                            check(m.getName().contentEquals("<init>") ? current.getSimpleName() + "(constructor)"
                                    : m.getName().toString(), "method");
                        }
                        return null; // bodies hold no API
                    }

                    @Override
                    public Void visitVariable(VariableTree v, Boolean visible) {
                        if (memberVisible(v.getModifiers()) && !isRecordComponent(v)) {
                            check(v.getName().toString(), "field");
                        }
                        return null;
                    }

                    private boolean memberVisible(ModifiersTree mods) {
                        Set<Modifier> flags = mods.getFlags();
                        if (flags.contains(Modifier.PRIVATE)) {
                            return false;
                        }
                        boolean inInterface = current != null && (current.getKind() == Tree.Kind.INTERFACE
                                || current.getKind() == Tree.Kind.ANNOTATION_TYPE);
                        return inInterface || flags.contains(Modifier.PUBLIC) || flags.contains(Modifier.PROTECTED);
                    }

                    private boolean overrides(ModifiersTree mods) {
                        return mods.getAnnotations().stream().anyMatch(a -> a.getAnnotationType().toString().endsWith("Override"));
                    }

                    /** The implicit constructor of a class or enum: javac's parser adds none, so there is none to see. */
                    private boolean isGeneratedConstructor(MethodTree m) {
                        return docs.getSourcePositions().getStartPosition(unit, m) < 0;
                    }

                    /** Record components are documented by the record's {@code @param}s. */
                    private boolean isRecordComponent(VariableTree v) {
                        return current != null && current.getKind() == Tree.Kind.RECORD
                                && !v.getModifiers().getFlags().contains(Modifier.STATIC);
                    }

                    private void check(String name, String kind) {
                        if (docs.getDocCommentTree(getCurrentPath()) == null) {
                            long line = unit.getLineMap().getLineNumber(docs.getSourcePositions().getStartPosition(unit, getCurrentPath().getLeaf()));
                            missing.add(unit.getSourceFile().getName() + ":" + line + " " + kind + " " + name);
                        }
                    }
                }.scan(new TreePath(unit), true);
            }
        }
        return missing;
    }

    /** The sources of the packages the published modules export, package-info included. */
    static List<Path> apiSources() throws IOException {
        List<Path> sources = new ArrayList<>();
        for (ModuleReference ref : ModuleTest.builtModules().findAll()) {
            ModuleDescriptor d = ref.descriptor();
            String module = Repo.PUBLISHED.stream()
                    .filter(m -> Files.exists(Repo.root().resolve(m).resolve("src/main/java")
                            .resolve(d.packages().iterator().next().replace('.', '/'))))
                    .findFirst().orElseThrow(() -> new AssertionError("no sources for " + d.name()));
            for (ModuleDescriptor.Exports e : d.exports()) {
                if (e.isQualified()) {
                    continue; // an SPI exported to Aurora4j's own modules only: no consumer can see it
                }
                Path dir = Repo.root().resolve(module).resolve("src/main/java").resolve(e.source().replace('.', '/'));
                assertTrue(Files.isRegularFile(dir.resolve("package-info.java")), "exported package without package-info: " + dir);
                try (var files = Files.list(dir)) {
                    files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(sources::add);
                }
            }
        }
        return sources;
    }

    @Test
    void everyPublicAndProtectedElementOfTheExportedPackagesHasJavadoc() throws IOException {
        List<Path> sources = apiSources();
        assertTrue(sources.size() > 50, "API sources found: " + sources.size());
        List<String> missing = undocumented(sources);
        assertTrue(missing.isEmpty(), "public API without javadoc:\n" + String.join("\n", missing));
    }

    @Test
    void anUndocumentedPublicMethodOrTypeIsCaught(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path source = dir.resolve("Api.java");
        Files.writeString(source, """
                package p;
                /** Documented. */
                public class Api {
                    /** Documented. */
                    public void documented() {}
                    public void undocumented() {}
                    protected int field;
                    void packagePrivate() {}
                    private void hidden() {}
                    @Override public String toString() { return ""; }
                    public static class Nested { /** Documented. */ public Nested() {} }
                    private static class Hidden { public void notApi() {} }
                    /** Documented. */
                    public interface Callback { void call(); }
                    /** Documented. @param x the x */
                    public record Point(int x) { public Point {} }
                    /** Documented. */
                    public enum Mode { /** Documented. */ ON, OFF }
                }
                """);
        List<String> missing = undocumented(List.of(source)).stream()
                .map(s -> s.substring(s.indexOf(':') + 1).replaceFirst("^\\d+ ", "")).collect(Collectors.toList());
        assertEquals(List.of("method undocumented", "field field", "type Nested", "method call",
                "method Point(constructor)", "field OFF"), missing);
    }

    /**
     * Issue #11, item 2: nothing a user can call on a state object breaks it. {@code discard(long)} (which killed an
     * object for good) and {@code kind()} were public through the state-object interface; the interface is now sealed
     * and package-private, and so are those operations.
     */
    @Test
    void noStateObjectHasAPublicMethodThatCanBreakIt() {
        for (Class<?> kind : List.of(io.aurora4j.txn.TLong.class, io.aurora4j.txn.TRef.class, io.aurora4j.txn.TMap.class,
                io.aurora4j.txn.Region.class)) {
            List<String> dangerous = java.util.Arrays.stream(kind.getMethods())
                    .map(java.lang.reflect.Method::getName)
                    .filter(n -> n.equals("discard") || n.equals("kind"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), dangerous, kind.getSimpleName() + " exposes to users: " + dangerous);
            for (Class<?> implemented : kind.getInterfaces()) {
                assertTrue(java.lang.reflect.Modifier.isPublic(implemented.getModifiers()) || implemented.isSealed(),
                        kind.getSimpleName() + " implements " + implemented.getName() + ", which is neither public API nor sealed");
            }
        }
    }
}
