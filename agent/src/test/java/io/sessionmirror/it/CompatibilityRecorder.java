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
        if (dir == null || !(test instanceof ServerUnderTest)) {
            return;
        }
        String[] label;
        try {
            label = ((ServerUnderTest) test).serverLabel();
        } catch (RuntimeException e) {
            return;
        }
        String line = String.join("\t", label[0], label[1], label[2], String.valueOf(Servers.serverJdk()),
                test.getClass().getSimpleName(), context.getRequiredTestMethod().getName(), outcome) + "\n";
        try {
            Path file = Paths.get(dir).resolve("jdk" + Servers.serverJdk() + "-" + test.getClass().getSimpleName() + ".tsv");
            Files.createDirectories(file.getParent());
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot record a test outcome in " + dir, e);
        }
    }
}
