package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * On WildFly the agent logs through the server's logging, not through a stderr the server captures: the
 * distribution from Maven Central, started with bin/standalone.sh and the agent on one JAVA_OPTS line in
 * standalone.conf, boots (the agent never starts java.util.logging before JBoss Modules names its log
 * manager), its server.log shows the agent's lines as {@code INFO [session-mirror]} and none as
 * {@code [stderr]}, and the line naming the web app mirrored is among them.
 */
class WildFlyServerLogIT {

    private static final Duration BOOT = Duration.ofSeconds(180);

    @Test
    void theAgentLogsIntoServerLogAsSessionMirrorNotAsCapturedStderr() throws Exception {
        try (Memcached memcached = Memcached.start()) {
            Path home = wildflyCopy(Servers.workDir("wildfly-log"));
            Files.write(home.resolve("bin/standalone.conf"), List.of("",
                    "JAVA_OPTS=\"$JAVA_OPTS " + Servers.javaagent("nodes=" + memcached.address()) + "\""),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            Files.copy(Servers.JAKARTA_WAR, home.resolve("standalone/deployments/shop.war"));
            int offset = portOffset();
            Path serverLog = home.resolve("standalone/log/server.log");
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/standalone.sh").toString(),
                    "-Djboss.socket.binding.port-offset=" + offset, "-Djboss.bind.address=127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(home.resolve("console.log").toFile());
            pb.environment().put("JAVA_HOME", Servers.javaHome());
            pb.environment().remove("JAVA_OPTS"); // standalone.conf sets its own defaults only when it is unset
            Process script = pb.start();
            try {
                Poll.until("WildFly booted (WFLYSRV0025) with shop.war deployed; console:\n" + tail(home.resolve("console.log")),
                        BOOT, () -> read(serverLog).contains("WFLYSRV0025") || !script.isAlive());
                String boot = read(serverLog);
                assertTrue(boot.contains("WFLYSRV0025"), "WildFly did not boot with the agent:\n" + tail(home.resolve("console.log")));
                assertTrue(boot.contains("WFLYSRV0010: Deployed \"shop.war\""), "shop.war deployed");

                Browser user = new Browser();
                String url = "http://127.0.0.1:" + (8080 + offset) + "/shop/cart/add?item=apple&format=text";
                assertEquals("[apple]", user.get(url).get("attr.cart"), "the shop answers");
                Poll.until("the line naming the web app mirrored, in server.log", Duration.ofSeconds(30),
                        () -> read(serverLog).contains("Session Mirror mirrors Undertow"));

                List<String> lines = List.of(read(serverLog).split("\n"));
                List<String> agentLines = lines.stream().filter(l -> l.contains("[session-mirror]"))
                        .collect(Collectors.toList());
                List<String> captured = lines.stream().filter(l -> l.contains("[stderr]") && (l.contains("session-mirror")
                        || l.contains("Session Mirror") || l.contains("io.sessionmirror"))).collect(Collectors.toList());
                assertTrue(agentLines.stream().anyMatch(l -> l.contains(" INFO  [session-mirror]")
                        && l.contains("Session Mirror mirrors Undertow") && l.contains(" in WildFly 39.")),
                        String.join("\n", agentLines));
                assertEquals(List.of(), captured, "no agent line through WildFly's captured stderr");
            } finally {
                stop(script);
            }
        }
    }

    /** The distribution unpacked by demo-apps/servers/wildfly-39: modules shared (symlinks), bin and standalone copied. */
    private static Path wildflyCopy(Path dir) throws Exception {
        Path target = Servers.DEMO_SERVERS_DIR.resolve("wildfly-39/target");
        Path dist;
        try (Stream<Path> dirs = Files.list(target)) {
            dist = dirs.filter(d -> d.getFileName().toString().startsWith("wildfly-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no wildfly-* in " + target + ": build demo-apps/servers first"));
        }
        Path home = dir.resolve(dist.getFileName());
        Files.createDirectories(home);
        try (Stream<Path> top = Files.list(dist)) {
            for (Path p : (Iterable<Path>) top::iterator) {
                String name = p.getFileName().toString();
                if (name.equals("bin") || name.equals("standalone")) {
                    copyTree(p, home.resolve(name));
                } else {
                    Files.createSymbolicLink(home.resolve(name), p);
                }
            }
        }
        return home;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** An offset that puts WildFly's sockets (8080, 8443, 9990, 9993 plus it) on free ports of this JVM's range. */
    private static int portOffset() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = PortRange.blockBase(10);
            int offset = base - 8080;
            if (offset + 9993 < 32768 && Stream.of(8080, 8443, 9990, 9993).allMatch(p -> PortRange.free(p + offset))) {
                return offset;
            }
        }
        throw new IllegalStateException("no free ports for WildFly");
    }

    /** SIGTERM to the JVM the script started, then the script; forcibly if either hangs. */
    private static void stop(Process script) throws InterruptedException {
        List<ProcessHandle> children = script.descendants().collect(Collectors.toList());
        children.forEach(ProcessHandle::destroy);
        script.destroy();
        if (!script.waitFor(30, TimeUnit.SECONDS)) {
            children.forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly();
            script.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            child.onExit().completeOnTimeout(child, 30, TimeUnit.SECONDS).join();
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String tail(Path file) {
        String text = read(file);
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }
}
