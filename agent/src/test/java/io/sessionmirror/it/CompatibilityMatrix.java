package io.sessionmirror.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes the compatibility matrix into a markdown file, between the markers
 * {@code <!-- matrix:start -->} and {@code <!-- matrix:end -->}, from the lines {@link CompatibilityRecorder}
 * wrote during this build's integration tests. Run by the build after the integration tests:
 * {@code CompatibilityMatrix <results dir> <markdown file> [<it.test filter> <fallback file>]}. The build gives
 * target/compatibility.md unless told {@code -Dcompat.write=true} (then docs/compatibility.md), so an ordinary
 * run leaves the tracked docs alone; a missing file is created with just the markers. When the run was
 * narrowed to some tests (a filter is given), the matrix goes to the fallback file instead, so a partial run
 * never replaces the full matrix in the docs.
 */
public final class CompatibilityMatrix {

    static final String START = "<!-- matrix:start -->";
    static final String END = "<!-- matrix:end -->";
    static final String BACKENDS_START = "<!-- backends:start -->";
    static final String BACKENDS_END = "<!-- backends:end -->";
    private static final String EMPTY = START + "\n" + END + "\n\n" + BACKENDS_START + "\n" + BACKENDS_END + "\n";

    private CompatibilityMatrix() {
    }

    public static void main(String[] args) throws IOException {
        Path results = Paths.get(args[0]);
        Path doc = Paths.get(args[1]);
        String filter = args.length > 2 ? args[2].trim() : "";
        if (!filter.isEmpty() && !filter.startsWith("${") && args.length > 3) {
            Path partial = Paths.get(args[3]);
            Files.write(partial, EMPTY.getBytes(StandardCharsets.UTF_8));
            System.out.println("Only some tests ran (it.test=" + filter + "): matrix written to " + partial + ", not to " + doc);
            doc = partial;
        }
        if (!Files.isDirectory(results)) {
            System.out.println("No compatibility results in " + results + " (no server test ran); " + doc + " left as it is");
            return;
        }
        if (!Files.exists(doc)) {
            Files.write(doc, EMPTY.getBytes(StandardCharsets.UTF_8));
        }
        String text = new String(Files.readAllBytes(doc), StandardCharsets.UTF_8);
        text = replaceSection(text, START, END, render(read(results)), doc);
        text = replaceSection(text, BACKENDS_START, BACKENDS_END, BackendMatrix.render(BackendMatrix.read(results)), doc);
        Files.write(doc, text.getBytes(StandardCharsets.UTF_8));
        System.out.println("Compatibility matrix written to " + doc);
    }

    private static String replaceSection(String text, String startMarker, String endMarker, String content, Path doc) {
        int start = text.indexOf(startMarker);
        int end = text.indexOf(endMarker);
        if (start < 0 || end < start) {
            throw new IllegalStateException(doc + " has no " + startMarker + " ... " + endMarker + " section");
        }
        return text.substring(0, start + startMarker.length()) + "\n" + content + text.substring(end);
    }

    /** The recorded lines of this run whose file names start with {@code prefix}, split into columns. */
    static List<String[]> lines(Path results, String prefix) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(results)) {
            s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".tsv")).sorted()
                    .forEach(files::add);
        }
        List<String[]> out = new ArrayList<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                out.add(line.split("\t", -1));
            }
        }
        return out;
    }

    /** One row per server, version and environment; per JDK: passed / run, and which test classes ran. */
    static final class Row {
        final Map<Integer, int[]> byJdk = new TreeMap<>();
        final TreeSet<String> classes = new TreeSet<>();
        final TreeSet<String> failures = new TreeSet<>();
    }

    static Map<String, Row> read(Path results) throws IOException {
        Map<String, Row> rows = new TreeMap<>(CompatibilityMatrix::compareRows);
        for (String[] c : lines(results, "jdk")) {
            if (c.length >= 7) {
                Row row = rows.computeIfAbsent(c[0] + "\t" + c[1] + "\t" + c[2], k -> new Row());
                int jdk = Integer.parseInt(c[3]);
                int[] counts = row.byJdk.computeIfAbsent(jdk, k -> new int[3]);
                if (c[6].equals("SKIP")) {
                    counts[2]++; // an assumption said no (e.g. the server needs a newer JDK): not run, not failed
                } else if (c[6].equals("PASS")) {
                    counts[0]++;
                    counts[1]++;
                } else {
                    counts[1]++;
                    row.failures.add("JDK " + jdk + ": " + c[4] + "." + c[5] + " " + c[6]);
                }
                row.classes.add(c[4]);
            }
        }
        return rows;
    }

    /** Family, then version numerically (so 9.4 sorts before 10.0), then environment. */
    private static int compareRows(String a, String b) {
        String[] x = a.split("\t", -1);
        String[] y = b.split("\t", -1);
        int c = x[0].compareTo(y[0]);
        if (c != 0) {
            return c;
        }
        c = compareVersions(x[1], y[1]);
        return c != 0 ? c : x[2].compareTo(y[2]);
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("[^0-9]+");
        String[] y = b.split("[^0-9]+");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i].isEmpty() || y[i].isEmpty()) {
                continue;
            }
            int c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    /** A table's header: the given columns, one per JDK, then the test classes. */
    static void header(StringBuilder out, Set<Integer> jdks, String... columns) {
        out.append('|');
        for (String c : columns) {
            out.append(' ').append(c).append(" |");
        }
        for (int jdk : jdks) {
            out.append(" JDK ").append(jdk).append(" |");
        }
        out.append(" Test classes |\n|");
        for (int i = 0; i < columns.length + jdks.size() + 1; i++) {
            out.append("---|");
        }
        out.append('\n');
    }

    /**
     * A row's cells per JDK: tests passed / tests run; "skipped" when every test there was skipped by an assumption
     * (a server that needs a newer JDK, a package not installed); "not run" when none ran there.
     */
    static void cells(StringBuilder out, Set<Integer> jdks, Map<Integer, int[]> byJdk) {
        for (int jdk : jdks) {
            int[] c = byJdk.get(jdk);
            String cell;
            if (c == null) {
                cell = "not run";
            } else if (c[1] == 0) {
                cell = "skipped";
            } else {
                cell = (c[0] == c[1] ? "✅ " : "❌ ") + c[0] + "/" + c[1] + (c[2] > 0 ? " (" + c[2] + " skipped)" : "");
            }
            out.append(' ').append(cell).append(" |");
        }
    }

    static void failures(StringBuilder out, List<String> failures) {
        if (!failures.isEmpty()) {
            out.append("\nNot passed in that run:\n\n");
            failures.forEach(f -> out.append("- ").append(f).append('\n'));
        }
    }

    static String render(Map<String, Row> rows) {
        TreeSet<Integer> jdks = new TreeSet<>();
        rows.values().forEach(r -> jdks.addAll(r.byJdk.keySet()));
        StringBuilder out = new StringBuilder();
        out.append("Generated by `CompatibilityMatrix` from the integration tests of one `mvn verify` run on ")
                .append(LocalDate.now()).append(". A cell is *tests passed / tests run* on that JDK; every test")
                .append(" starts real servers of that version in their own JVMs with the agent. *skipped*: the server")
                .append(" does not run on that JDK (Payara Micro 7 and GlassFish 8 need JDK 21 or later; Payara 6 supports")
                .append(" up to 21); *not run*: no test of it runs on that JDK.\n\n");
        header(out, jdks, "Server", "Version", "Environment");
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            String[] k = e.getKey().split("\t", -1);
            Row r = e.getValue();
            out.append("| ").append(k[0]).append(" | ").append(k[1]).append(" | ").append(k[2].isEmpty() ? "—" : k[2]).append(" |");
            cells(out, jdks, r.byJdk);
            out.append(' ').append(String.join(", ", r.classes)).append(" |\n");
            failures.addAll(r.failures);
        }
        failures(out, failures);
        return out.toString();
    }
}
