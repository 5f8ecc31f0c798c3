package io.sessionmirror.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/architecture.md, checked against the sources: each package uses only the packages
 * below it, so there are no cycles and a change low in the map never needs one higher up. A new dependency that
 * breaks a layer fails here with the file that adds it; if the layer is what is wrong, change the map in both
 * places.
 */
class PackageLayersTest {

    private static final String ROOT = "io.sessionmirror.agent";

    /** What each package may use (besides itself, the JDK, the bootstrap bridge and relocated libraries). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("support", Set.of()),
            Map.entry("config", Set.of("support")),
            Map.entry("security", Set.of("support")),
            Map.entry("metrics", Set.of("support")),
            Map.entry("codec", Set.of("security", "support")),
            Map.entry("store", Set.of("config", "metrics", "support")),
            Map.entry("core", Set.of("codec", "store", "security", "metrics", "config", "support")),
            Map.entry("tomcat", Set.of("core", "codec", "support")),
            Map.entry("jetty", Set.of("core", "codec", "support")),
            Map.entry("undertow", Set.of("core", "codec", "support")),
            // Payara's Catalina fork: the Tomcat family's adapter, where the fork differs overridden
            Map.entry("payara", Set.of("tomcat", "core", "codec", "support")),
            // the command-line tools read stores and decode as the agent does; nothing below uses them
            Map.entry("tools", Set.of("core", "codec", "store", "security", "metrics", "config", "support")));

    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.sessionmirror\\.agent\\.([a-z]+)\\.[A-Z]");

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
        Map<String, Set<String>> used = uses();
        List<String> broken = new ArrayList<>();
        used.forEach((from, targets) -> {
            if (from.startsWith("(top)")) {
                return; // the agent's entry points wire everything together
            }
            Set<String> allowed = ALLOWED.get(pkg(from));
            for (String to : targets) {
                if (allowed == null || !allowed.contains(to)) {
                    broken.add(from + " uses " + to);
                }
            }
        });
        assertEquals(List.of(), broken, "package layers of docs/architecture.md, 'Packages'");
    }

    @Test
    void theMapKnowsEveryPackage() throws IOException {
        Set<String> packages = new TreeSet<>();
        for (String file : uses().keySet()) {
            if (!file.startsWith("(top)")) {
                packages.add(pkg(file));
            }
        }
        assertTrue(ALLOWED.keySet().containsAll(packages), "packages without a layer: " + packages);
    }

    private static String pkg(String file) {
        return file.substring(0, file.indexOf('/'));
    }

    /** For each main source file ("package/File.java"), the other agent packages it names. */
    private static Map<String, Set<String>> uses() throws IOException {
        Path base = Paths.get("src/main/java/io/sessionmirror/agent");
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Path rel = base.relativize(f);
                String name = rel.getNameCount() == 1 ? "(top)/" + rel : rel.toString().replace('\\', '/');
                String own = rel.getNameCount() == 1 ? "" : rel.getName(0).toString();
                Set<String> targets = new TreeSet<>();
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(own)) {
                        targets.add(m.group(1));
                    }
                }
                uses.put(name, targets);
            }
        }
        assertTrue(uses.size() > 50, "sources not found under " + base.toAbsolutePath());
        return uses;
    }
}
