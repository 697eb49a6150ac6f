package io.aurora4j.examples.surface;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's Java block and every javadoc {@code {@snippet :}} of the published modules are, character for
 * character, a region of {@link SnippetsTest}, which compiles and runs them: a sample cannot drift from code that
 * compiles. Compared after removing the common indentation (and, in the regions, the lines marked
 * {@code // @hide}).
 */
class SnippetsMatchTest {
    private static final Pattern START = Pattern.compile("^\\s*//\\s*@start\\s+region=\"([^\"]+)\"");
    private static final Pattern END = Pattern.compile("^\\s*//\\s*@end(\\s+region=\"([^\"]+)\")?");
    private static final Pattern HIDE = Pattern.compile("\\s*//\\s*@hide\\s*$");

    /** Region name to its text, from SnippetsTest.java. */
    static Map<String, String> regions() {
        Path file = Repo.root().resolve("examples/src/test/java/io/aurora4j/examples/surface/SnippetsTest.java");
        Map<String, String> regions = new LinkedHashMap<>();
        String name = null;
        List<String> lines = new ArrayList<>();
        for (String line : Repo.read(file).split("\n", -1)) {
            Matcher start = START.matcher(line);
            Matcher end = END.matcher(line);
            if (start.find()) {
                assertTrue(name == null, "region '" + start.group(1) + "' starts inside region '" + name + "'");
                name = start.group(1);
                lines.clear();
            } else if (end.find()) {
                assertTrue(name != null, "an @end without an @start in " + file);
                assertTrue(end.group(2) == null || end.group(2).equals(name),
                        "region '" + name + "' ended as '" + end.group(2) + "'");
                assertTrue(regions.put(name, normalize(lines)) == null, "two regions named '" + name + "'");
                name = null;
            } else if (name != null && !HIDE.matcher(line).find()) {
                lines.add(line);
            }
        }
        assertTrue(name == null, "region '" + name + "' never ends");
        return regions;
    }

    /** Trailing spaces off, blank lines at both ends off, the indentation common to all non-blank lines off. */
    static String normalize(List<String> lines) {
        List<String> ls = new ArrayList<>(lines.stream().map(String::stripTrailing).toList());
        while (!ls.isEmpty() && ls.get(0).isEmpty()) {
            ls.remove(0);
        }
        while (!ls.isEmpty() && ls.get(ls.size() - 1).isEmpty()) {
            ls.remove(ls.size() - 1);
        }
        int indent = ls.stream().filter(l -> !l.isEmpty()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return String.join("\n", ls.stream().map(l -> l.isEmpty() ? l : l.substring(indent)).toList());
    }

    /** The fenced {@code java} blocks of a markdown file. */
    static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : markdown.split("\n", -1)) {
            if (current == null && line.strip().equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && line.strip().equals("```")) {
                blocks.add(normalize(current));
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    /** Each {@code {@snippet :}} of a source file: file:line to its text, with the comment's stars removed. */
    static Map<String, String> javadocSnippets(Path file) {
        Map<String, String> snippets = new LinkedHashMap<>();
        String[] lines = Repo.read(file).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int at = lines[i].indexOf("{@snippet");
            if (at < 0) {
                continue;
            }
            String rest = lines[i].substring(at + "{@snippet".length());
            if (!rest.strip().startsWith(":")) {
                fail(file + ":" + (i + 1) + ": an external {@snippet " + rest.strip() + " is not checked here:"
                        + " write the sample inline and put the same code in a region of SnippetsTest.java");
            }
            int depth = 1 + count(rest, '{') - count(rest, '}');
            List<String> body = new ArrayList<>();
            int j = i + 1;
            for (; j < lines.length && depth > 0; j++) {
                String text = lines[j].replaceFirst("^\\s*\\*( |$)", "");
                int before = depth;
                depth += count(text, '{') - count(text, '}');
                if (depth > 0) {
                    body.add(text);
                } else if (before > 0) {
                    String last = text.substring(0, text.lastIndexOf('}'));
                    if (!last.isBlank()) {
                        body.add(last);
                    }
                }
            }
            assertEquals(0, depth, file + ":" + (i + 1) + ": the {@snippet never closes");
            snippets.put(Repo.root().relativize(file) + ":" + (i + 1), normalize(body));
            i = j - 1;
        }
        return snippets;
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }

    @Test
    void theReadmeJavaBlockIsTheCompiledReadmeTasteRegion() {
        List<String> blocks = javaBlocks(Repo.read(Repo.root().resolve("README.md")));
        assertEquals(1, blocks.size(), "README.md's Java blocks (each must be a region of SnippetsTest.java)");
        assertEquals(regions().get("readme-taste"), blocks.get(0),
                "README.md's \"A taste\" differs from the region readme-taste of SnippetsTest.java, which compiles and runs it");
    }

    @Test
    void everyJavadocSnippetIsACompiledRegion() {
        Map<String, String> regions = regions();
        int seen = 0;
        List<String> unmatched = new ArrayList<>();
        for (String module : Repo.PUBLISHED) {
            for (Path file : Repo.javaFiles(Repo.root().resolve(module).resolve("src/main/java"))) {
                for (Map.Entry<String, String> s : javadocSnippets(file).entrySet()) {
                    seen++;
                    if (!regions.containsValue(s.getValue())) {
                        unmatched.add(s.getKey() + ":\n" + s.getValue());
                    }
                }
            }
        }
        assertTrue(seen >= 6, "found only " + seen + " javadoc snippets: is the scan broken?");
        assertTrue(unmatched.isEmpty(), "javadoc snippets that are no region of SnippetsTest.java (compile them there):\n\n"
                + String.join("\n\n", unmatched));
    }

    @Test
    void theScannerReadsSnippetsAsJavadocShowsThem() {
        // A self-check of the parsing above, on a sample with nested braces and a closing brace on the last line.
        List<String> body = List.of("   * {@snippet :", "   * if (x) {", "   *     y();", "   * }", "   * }");
        Path tmp = null;
        try {
            tmp = java.nio.file.Files.createTempFile("snippet", ".java");
            java.nio.file.Files.write(tmp, body);
            Map<String, String> found = javadocSnippets(tmp.toAbsolutePath());
            assertEquals(List.of("if (x) {\n    y();\n}"), List.copyOf(found.values()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (tmp != null) {
                tmp.toFile().delete();
            }
        }
        assertFalse(regions().isEmpty());
    }
}
