package io.sessionmirror.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live-object class histogram of a JVM, as {@code jcmd <pid> GC.class_histogram} prints it (that command runs a
 * full GC first, so only reachable objects are counted): instances and bytes per class name.
 */
final class ClassHistogram {

    /** Instances and shallow bytes of one class (summed when several class loaders define the same name). */
    static final class Entry {
        long instances;
        long bytes;
    }

    /** {@code "   12:     100000     2400000  io.sessionmirror.agent.core.SessionState (module)"}. */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** The agent's classes are relocated dependencies too; see {@code shaded.prefix} in agent/pom.xml. */
    static final String AGENT_PACKAGE = "io.sessionmirror.";
    /** The demo shop and its launcher share the project's package but are not the agent. */
    static final String DEMO_PACKAGE = "io.sessionmirror.demo.";

    final Map<String, Entry> byClass = new LinkedHashMap<>();

    static ClassHistogram parse(String jcmdOutput) {
        ClassHistogram h = new ClassHistogram();
        for (String line : jcmdOutput.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                Entry e = h.byClass.computeIfAbsent(m.group(3), k -> new Entry());
                e.instances += Long.parseLong(m.group(1));
                e.bytes += Long.parseLong(m.group(2));
            }
        }
        return h;
    }

    /** Runs {@code jcmd <pid> GC.class_histogram}, keeps its output in {@code file} and parses it. */
    static ClassHistogram take(long pid, Path file) throws Exception {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram")
                .redirectErrorStream(true).redirectOutput(file.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd GC.class_histogram did not finish within 120 s");
        }
        String out = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        ClassHistogram h = parse(out);
        if (p.exitValue() != 0 || h.byClass.isEmpty()) {
            throw new IllegalStateException("jcmd GC.class_histogram failed (exit " + p.exitValue() + "): " + out);
        }
        return h;
    }

    /** Whether objects of this class (or arrays of it) belong to the agent: its own classes, relocated ones included. */
    static boolean isAgentClass(String name) {
        String element = name;
        while (element.startsWith("[")) {
            element = element.substring(1);
        }
        if (element.startsWith("L") && element.endsWith(";")) {
            element = element.substring(1, element.length() - 1);
        }
        return element.startsWith(AGENT_PACKAGE) && !element.startsWith(DEMO_PACKAGE);
    }

    long bytes(String name) {
        Entry e = byClass.get(name);
        return e == null ? 0 : e.bytes;
    }

    long instances(String name) {
        Entry e = byClass.get(name);
        return e == null ? 0 : e.instances;
    }

    long bytes(Predicate<String> classes) {
        long sum = 0;
        for (Map.Entry<String, Entry> e : byClass.entrySet()) {
            if (classes.test(e.getKey())) {
                sum += e.getValue().bytes;
            }
        }
        return sum;
    }

    long totalBytes() {
        return bytes(name -> true);
    }
}
