package io.sessionmirror.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Records the outcome of every server test, with the server, version, environment and JDK it ran on,
 * one tab-separated line per test in {@code it.sessionmirror.compatDir}. {@link CompatibilityMatrix}
 * turns these lines into the matrix of docs/compatibility.md, so the matrix says what was run, not what
 * someone believes.
 */
public final class CompatibilityRecorder implements TestWatcher {

    /** Implemented by test classes that run a server: what ran. */
    public interface ServerUnderTest {
        /** Server family, version and environment (for example "Jetty", "12.1.14", "ee10"; "" when none). */
        String[] serverLabel();
    }

    /**
     * Implemented by test classes that run against a store backend: which one ("Memcached", "plain", "1.6.18";
     * "Redis", "cluster of 3 masters", "7.0.15"). Recorded beside the server, for the backend matrix.
     */
    public interface BackendUnderTest {
        /** Backend kind, form and version. */
        String[] backendLabel();

        /** The server family a test that is not a {@link ServerUnderTest} runs; "" when it runs none. */
        default String serversRun() {
            return "";
        }
    }

    /** The last word of the first line a command prints (its version); "unknown" when it cannot be run. */
    public static String versionOf(String... command) {
        String first = versionOfLine(command);
        return first.isEmpty() ? "unknown" : first.substring(first.lastIndexOf(' ') + 1);
    }

    /** The first line a command prints, "" when it prints nothing or cannot be run. */
    public static String versionOfLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out.isEmpty() ? "" : out.split("\\R")[0].trim();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "PASS");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "FAIL");
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "SKIP");
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        // not run: not recorded
    }

    private static void record(ExtensionContext context, String outcome) {
        String dir = System.getProperty("it.sessionmirror.compatDir");
        Object test = context.getTestInstance().orElse(null);
        if (dir == null || test == null) {
            return;
        }
        String tail = String.join("\t", String.valueOf(Servers.serverJdk()), test.getClass().getSimpleName(),
                context.getRequiredTestMethod().getName(), outcome);
        String[] server = label(test instanceof ServerUnderTest ? ((ServerUnderTest) test)::serverLabel : null);
        if (server != null) {
            append(dir, "jdk", test, String.join("\t", server[0], server[1], server[2], tail));
        }
        String[] backend = label(test instanceof BackendUnderTest ? ((BackendUnderTest) test)::backendLabel : null);
        if (backend != null) {
            // The server family goes along (empty for a test of the store alone): the matrix names the servers.
            append(dir, "backend-jdk", test, String.join("\t", backend[0], backend[1], backend[2], tail,
                    server != null ? server[0] : ((BackendUnderTest) test).serversRun()));
        }
    }

    /** A label, or null when there is none or it cannot be had (e.g. the test failed before its store started). */
    private static String[] label(java.util.function.Supplier<String[]> source) {
        if (source == null) {
            return null;
        }
        try {
            return source.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void append(String dir, String prefix, Object test, String line) {
        try {
            Path file = Paths.get(dir).resolve(prefix + Servers.serverJdk() + "-" + test.getClass().getSimpleName() + ".tsv");
            Files.createDirectories(file.getParent());
            Files.write(file, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot record a test outcome in " + dir, e);
        }
    }
}
