package io.sessionmirror.it.checker;

import io.sessionmirror.it.Memcached;
import io.sessionmirror.it.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Tomcat (10.1, embedded, the shop at {@code /shop}, jvmRoute = its name) with the agent, on a fixed port and
 * a fixed base directory: a restart is the same server again, and with the launcher's {@code --persist-sessions}
 * Tomcat's own session persistence (StandardManager's {@code SESSIONS.ser} in the work directory, written on a
 * graceful stop and read at start) brings back the sessions it had, as a standalone Tomcat does. Remembers the times it was going down, so that a
 * request broken by a kill or a stop is not blamed on the agent.
 */
final class ServerNode implements AutoCloseable {

    /** A time a request may legitimately have broken on this server: from the signal until the process was gone. */
    static final class DownWindow {
        private final long fromNanos;
        private final long toNanos;
        private final String fault;

        DownWindow(long fromNanos, long toNanos, String fault) {
            this.fromNanos = fromNanos;
            this.toNanos = toNanos;
            this.fault = fault;
        }

        long fromNanos() {
            return fromNanos;
        }

        long toNanos() {
            return toNanos;
        }

        String fault() {
            return fault;
        }

    }

    private final String name;
    private final int port;
    private final Path base;
    private final String agentOptions;
    private final List<DownWindow> windows = new CopyOnWriteArrayList<>();
    private volatile ServerProcess process;
    private volatile boolean up;
    private int starts;

    ServerNode(String name, String agentOptions) throws Exception {
        this.name = name;
        this.port = Memcached.freePort();
        this.agentOptions = agentOptions;
        this.base = property("workDir").resolve("checker-" + name + "-" + ProcessHandle.current().pid());
        Files.createDirectories(base);
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    boolean up() {
        return up;
    }

    /** Starts the JVM and waits until the shop answers; the driver sends it requests from then on. */
    synchronized void start() throws Exception {
        Path war = property("jakartaWar");
        String tomcat = System.getProperty("it.sessionmirror.tomcat10");
        String java = System.getProperty("it.sessionmirror.serverJava", "");
        List<String> cmd = new ArrayList<>(List.of(
                java.isEmpty() ? Paths.get(System.getProperty("java.home"), "bin", "java").toString() : java,
                "-javaagent:" + property("agentJar") + "=" + agentOptions,
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name,
                "-cp", property("launcherJar") + ":" + property("serversDir").resolve("tomcat-" + tomcat) + "/*",
                "io.sessionmirror.demo.launcher.TomcatLauncher", "--port", String.valueOf(port),
                "--app", "/shop=" + war, "--base", base.toString(), "--jvm-route", name,
                "--persist-sessions"));
        starts++;
        process = ServerProcess.launch(name, port, cmd, Map.of(), base.resolve("server-" + starts + ".log"));
        process.awaitReady("/shop/stats", Duration.ofSeconds(120));
        up = true;
    }

    /** kill -9 (or SIGTERM when {@code graceful}); returns once the process is gone. */
    synchronized void takeDown(boolean graceful) throws InterruptedException {
        up = false;
        long from = System.nanoTime();
        String fault = graceful ? "SIGTERM" : "kill -9";
        // open until the process is gone: a schedule checked meanwhile must already excuse its broken requests
        DownWindow open = new DownWindow(from, Long.MAX_VALUE, fault);
        windows.add(open);
        if (graceful) {
            process.stop();
        } else {
            process.kill9();
        }
        windows.add(new DownWindow(from, System.nanoTime(), fault));
        windows.remove(open);
    }

    /** Whether a request that ran from {@code start} to {@code end} overlapped this server going down. */
    DownWindow windowOverlapping(long start, long end) {
        for (DownWindow w : windows) {
            if (start <= w.toNanos && end >= w.fromNanos) {
                return w;
            }
        }
        return null;
    }

    /** The agent's log lines of the current run (for a violation report). */
    String log() {
        ServerProcess p = process;
        return p == null ? "" : p.log();
    }

    /** Whether {@code SESSIONS.ser} is waiting in the work directory (the last graceful stop persisted sessions). */
    boolean hasPersistedSessions() {
        return Files.exists(base.resolve("work/Tomcat/localhost/shop/SESSIONS.ser"));
    }

    @Override
    public void close() throws InterruptedException {
        up = false;
        if (process != null && process.isAlive()) {
            process.kill9();
        }
    }

    private static Path property(String key) {
        String v = System.getProperty("it.sessionmirror." + key);
        if (v == null) {
            throw new IllegalStateException("it.sessionmirror." + key + " is not set: run the checker from 'mvn verify'"
                    + " (failsafe sets it) or pass it with -D");
        }
        return Paths.get(v).toAbsolutePath();
    }
}
