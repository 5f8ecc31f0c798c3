package io.sessionmirror.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Where the build put the agent, the web apps and the servers (see the failsafe configuration). */
final class Servers {

    static final Path AGENT_JAR = path("agentJar");
    static final Path SERVERS_DIR = path("serversDir");
    static final Path WORK_DIR = path("workDir");
    static final Path JAVAX_WAR = path("javaxWar");
    static final Path JAKARTA_WAR = path("jakartaWar");
    static final Path LAUNCHER_JAR = path("launcherJar");
    static final String TOMCAT9 = System.getProperty("it.sessionmirror.tomcat9");
    static final String TOMCAT10 = System.getProperty("it.sessionmirror.tomcat10");
    static final String TOMCAT11 = System.getProperty("it.sessionmirror.tomcat11");

    private static final AtomicInteger RUN = new AtomicInteger();

    private Servers() {
    }

    private static Path path(String key) {
        String v = System.getProperty("it.sessionmirror." + key);
        if (v == null) {
            throw new IllegalStateException("it.sessionmirror." + key + " is not set: run the integration tests with"
                    + " 'mvn verify', which builds the agent jar first");
        }
        return Paths.get(v).toAbsolutePath();
    }

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A fresh folder for one server run. */
    static Path workDir(String name) throws Exception {
        Path dir = WORK_DIR.resolve(name + "-" + ProcessHandle.current().pid() + "-" + RUN.incrementAndGet());
        Files.createDirectories(dir);
        return dir;
    }

    static String javaagent(String options) {
        return "-javaagent:" + AGENT_JAR + (options.isEmpty() ? "" : "=" + options);
    }

    /**
     * An embedded Tomcat of the given version in its own JVM with {@code /shop} and {@code /shop2}
     * deployed, sharing the session cookie (path {@code /}) so both apps see the same session id.
     */
    static ServerProcess embeddedTomcat(String version, String name, int port, String agentOptions) throws Exception {
        Path war = version.startsWith("9.") ? JAVAX_WAR : JAKARTA_WAR;
        Path dir = workDir(name);
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        if (agentOptions != null) {
            cmd.add(javaagent(agentOptions));
        }
        Collections.addAll(cmd, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name,
                "-cp", LAUNCHER_JAR + ":" + SERVERS_DIR.resolve("tomcat-" + version) + "/*",
                "io.sessionmirror.demo.launcher.TomcatLauncher", "--port", String.valueOf(port),
                "--app", "/shop=" + war, "--app", "/shop2=" + war, "--shared-session-cookie", "--base", dir.toString());
        return ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"));
    }
}
