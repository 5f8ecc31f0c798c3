package io.sessionmirror.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A server running in its own JVM, started from a command line, with its output in a log file. */
public final class ServerProcess implements AutoCloseable {

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ServerProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static ServerProcess launch(String name, int port, List<String> command, Map<String, String> env, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new ServerProcess(name, port, pb.start(), log);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /**
     * The server's JVM: the process started, or, when that was a start script that runs java as a child
     * (WildFly's {@code standalone.sh}), that java.
     */
    public long pid() {
        return process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().map(ProcessHandle::pid).orElse(process.pid());
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Waits until {@code path} answers 200; fails early with the log if the process dies. */
    public ServerProcess awaitReady(String path, Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server " + name + " exited with " + process.exitValue() + " while starting:\n" + log());
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url(path)))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server " + name + " was not ready within " + timeout + ":\n" + log());
    }

    /** SIGKILL: no shutdown hooks, no flush; what a crash or an OOM killer does. */
    public void kill9() throws InterruptedException {
        // The server first when a launcher runs it as its child (asadmin start-domain --verbose): killing the launcher
        // alone would leave the server running.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM: a graceful stop, shutdown hooks run. A launcher that runs the server as its child and exits with it
     * (asadmin start-domain --verbose) gets nothing: the server itself is asked, as a kill or systemd would.
     */
    public void stop() throws InterruptedException {
        List<ProcessHandle> children = process.children().collect(java.util.stream.Collectors.toList());
        if (children.isEmpty()) {
            process.destroy();
        } else {
            children.forEach(ProcessHandle::destroy);
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill9();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("server " + name + " still running after " + timeout);
        }
        return process.exitValue();
    }

    /** Waits until the server's output contains {@code text}; returns the whole output. */
    public String awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String log = log();
        while (!log.contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("server " + name + " did not log '" + text + "' within " + timeout + ":\n" + log);
            }
            Thread.sleep(50);
            log = log();
        }
        return log;
    }

    public String log() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
