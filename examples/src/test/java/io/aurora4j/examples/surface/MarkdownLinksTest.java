package io.aurora4j.examples.surface;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link of the repository's READMEs and ARCHITECTURE.md points to a file of the repository (not
 * outside it: a clone has nothing there), and a {@code #fragment} to a heading of the file linked.
 */
class MarkdownLinksTest {
    /** {@code [text](target)} and {@code [text](target "title")}; images too. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    static List<Path> documents(Path root) throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("ARCHITECTURE.md"));
        try (Stream<Path> s = Files.walk(root, 2)) {
            s.filter(p -> p.getFileName().toString().equals("README.md"))
                    .filter(p -> !root.relativize(p).toString().contains("target"))
                    .sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The broken relative links of {@code doc}, each as "file: target (why)". */
    static List<String> brokenLinks(Path root, Path doc) {
        List<String> broken = new ArrayList<>();
        String text = withoutCode(Repo.read(doc));
        Matcher m = LINK.matcher(text);
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                continue; // https:, mailto: ...: not a path of the repository
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            String fragment = hash < 0 ? null : target.substring(hash + 1);
            Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
            String where = root.relativize(doc) + ": " + target;
            if (!file.startsWith(root)) {
                broken.add(where + " (outside the repository: a clone does not have it)");
            } else if (!Files.exists(file)) {
                broken.add(where + " (no such file)");
            } else if (fragment != null && file.toString().endsWith(".md") && !anchors(Repo.read(file)).contains(fragment)) {
                broken.add(where + " (no heading with that anchor)");
            }
        }
        return broken;
    }

    /** Fenced code blocks and inline code hold no links. */
    static String withoutCode(String markdown) {
        return markdown.replaceAll("(?s)```.*?```", "").replaceAll("`[^`\n]*`", "");
    }

    /** The anchors GitHub gives the headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        for (String line : withoutCode(markdown).split("\n")) {
            if (!line.startsWith("#")) {
                continue;
            }
            String slug = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            String a = slug;
            for (int n = 1; !anchors.add(a); n++) {
                a = slug + "-" + n;
            }
        }
        return anchors;
    }

    @Test
    void everyRelativeLinkOfTheDocumentsResolvesInTheRepository() throws IOException {
        Path root = Repo.root();
        List<Path> docs = documents(root);
        assertTrue(docs.size() >= 10, "documents found: " + docs);
        List<String> broken = new ArrayList<>();
        for (Path doc : docs) {
            broken.addAll(brokenLinks(root, doc));
        }
        assertTrue(broken.isEmpty(), "broken links:\n" + String.join("\n", broken));
    }

    @Test
    void aLinkOutsideTheRepositoryOrToAMissingFileIsCaught() throws IOException {
        Path root = Repo.root();
        Path doc = Files.createTempFile(root.resolve("examples/target"), "links", ".md");
        try {
            Files.writeString(doc, "# Title\n[paper](../../../shared/seeds/README.md) [gone](nope.md) [ok](#title)"
                    + " [web](https://example.org) `[code](nope.md)`\n");
            List<String> broken = brokenLinks(root, doc);
            assertEquals(2, broken.size(), broken.toString());
            assertTrue(broken.get(0).contains("outside the repository"), broken.toString());
            assertTrue(broken.get(1).contains("no such file"), broken.toString());
        } finally {
            Files.delete(doc);
        }
    }

    @Test
    void anchorsFollowGitHubsRule() {
        assertEquals(Set.of("durable-groups-issue-6-invariants-5-and-7", "a-taste", "a-taste-1"),
                anchors("## Durable groups (issue #6; invariants 5 and 7)\n## A taste\n## A taste\n```\n# not a heading\n```\n"));
    }
}
