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
    static final Path JETTY_LAUNCHER_JAR = path("jettyLauncherJar");
    static final Path UNDERTOW_LAUNCHER_JAR = path("undertowLauncherJar");
    /** demo-apps/servers: one module per Jetty/Undertow line, its jars in target/lib. */
    static final Path DEMO_SERVERS_DIR = path("demoServersDir");
    static final String TOMCAT9 = System.getProperty("it.sessionmirror.tomcat9");
    static final String TOMCAT10 = System.getProperty("it.sessionmirror.tomcat10");
    static final String TOMCAT11 = System.getProperty("it.sessionmirror.tomcat11");

    private static final AtomicInteger RUN = new AtomicInteger();

    private Servers() {
    }

    static Path path(String key) {
        String v = System.getProperty("it.sessionmirror." + key);
        if (v == null) {
            throw new IllegalStateException("it.sessionmirror." + key + " is not set: run the integration tests with"
                    + " 'mvn verify', which builds the agent jar first");
        }
        return Paths.get(v).toAbsolutePath();
    }

    /** The java that runs the servers: {@code it.sessionmirror.serverJava}, else the one running the tests. */
    static String java() {
        String java = System.getProperty("it.sessionmirror.serverJava", "");
        return java.isEmpty() ? Paths.get(System.getProperty("java.home"), "bin", "java").toString() : java;
    }

    /** The JDK home of {@link #java()}. */
    static String javaHome() {
        return Paths.get(java()).getParent().getParent().toString();
    }

    /** The feature release (17, 25, ...) of {@link #java()}, asked of that JVM itself. */
    static synchronized int serverJdk() {
        if (serverJdk == 0) {
            try {
                Process p = new ProcessBuilder(java(), "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(out);
                serverJdk = m.find() ? Integer.parseInt(m.group(1)) : -1;
            } catch (Exception e) {
                serverJdk = -1;
            }
        }
        return serverJdk;
    }

    private static int serverJdk;

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
        return embeddedTomcat(version, name, port, agentOptions, List.of());
    }

    /** Without the agent, with extra JVM options (e.g. {@code -XX:+DisableAttachMechanism}). */
    static ServerProcess embeddedTomcatWithJvmOptions(String version, String name, int port, List<String> jvmOptions)
            throws Exception {
        Path dir = workDir(name);
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        Collections.addAll(cmd, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name,
                "-cp", LAUNCHER_JAR + ":" + SERVERS_DIR.resolve("tomcat-" + version) + "/*",
                "io.sessionmirror.demo.launcher.TomcatLauncher", "--port", String.valueOf(port),
                "--app", "/shop=" + (version.startsWith("9.") ? JAVAX_WAR : JAKARTA_WAR), "--base", dir.toString());
        return ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"));
    }

    /** As above, with more launcher arguments (e.g. {@code --jvm-route a}). */
    static ServerProcess embeddedTomcat(String version, String name, int port, String agentOptions, List<String> extra)
            throws Exception {
        return embeddedTomcat(version, name, port, agentOptions, extra, "");
    }

    /** As above, with more jars on the server's class path (a library the web apps see, as in Tomcat's lib/). */
    static ServerProcess embeddedTomcat(String version, String name, int port, String agentOptions, List<String> extra,
                                        String extraClasspath) throws Exception {
        return embeddedTomcat(version, name, port, agentOptions, extra, extraClasspath, List.of());
    }

    /** As above, with JVM options too (e.g. {@code -Djdk.net.hosts.file=...}). */
    static ServerProcess embeddedTomcat(String version, String name, int port, String agentOptions, List<String> extra,
                                        String extraClasspath, List<String> jvmOptions) throws Exception {
        Path war = version.startsWith("9.") ? JAVAX_WAR : JAKARTA_WAR;
        Path dir = workDir(name);
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        if (agentOptions != null) {
            cmd.add(javaagent(agentOptions));
        }
        Collections.addAll(cmd, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name,
                "-cp", LAUNCHER_JAR + ":" + SERVERS_DIR.resolve("tomcat-" + version) + "/*"
                        + (extraClasspath.isEmpty() ? "" : ":" + extraClasspath),
                "io.sessionmirror.demo.launcher.TomcatLauncher", "--port", String.valueOf(port),
                "--app", "/shop=" + war, "--app", "/shop2=" + war, "--shared-session-cookie", "--base", dir.toString());
        cmd.addAll(extra);
        return ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"));
    }

    /** The jars of one server line from demo-apps/servers (e.g. {@code jetty-12.1-ee10}). */
    static Path serverLib(String line) {
        Path lib = DEMO_SERVERS_DIR.resolve(line).resolve("target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: build demo-apps/servers first ('mvn verify' does)");
        }
        return lib;
    }

    /** The version of {@code artifact} (e.g. jetty-server) among the jars of {@code lib}: what actually ran. */
    static String versionOf(Path lib, String artifact) {
        try (java.util.stream.Stream<Path> jars = Files.list(lib)) {
            return jars.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(artifact + "-") && n.endsWith(".jar") && Character.isDigit(n.charAt(artifact.length() + 1)))
                    .map(n -> n.substring(artifact.length() + 1, n.length() - 4))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + artifact + " jar in " + lib));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An embedded Jetty of one line ({@code jetty-9.4} ... {@code jetty-12.1-ee10}) in its own JVM with
     * {@code /shop} and {@code /shop2}, sharing the session cookie. {@code env}: Jetty 12's EE environment.
     */
    static ServerProcess jetty(String line, String env, String name, int port, String agentOptions) throws Exception {
        return jetty(line, env, name, port, agentOptions, List.of());
    }

    /** As above, with more launcher arguments (e.g. {@code --worker-name a}). */
    static ServerProcess jetty(String line, String env, String name, int port, String agentOptions, List<String> extra)
            throws Exception {
        boolean javax = line.equals("jetty-9.4") || line.equals("jetty-10.0") || "ee8".equals(env);
        List<String> args = new ArrayList<>(env == null ? List.of() : List.of("--env", env));
        args.addAll(extra);
        return launch(name, port, agentOptions, JETTY_LAUNCHER_JAR, serverLib(line), "io.sessionmirror.demo.launcher.JettyLauncher",
                javax ? JAVAX_WAR : JAKARTA_WAR, args);
    }

    /** An embedded Undertow 2.3 (servlet) in its own JVM with {@code /shop} and {@code /shop2}. */
    static ServerProcess undertow(String name, int port, String agentOptions) throws Exception {
        return launch(name, port, agentOptions, UNDERTOW_LAUNCHER_JAR, serverLib("undertow-2.3"),
                "io.sessionmirror.demo.launcher.UndertowLauncher", JAKARTA_WAR, List.of());
    }

    /** {@code UndertowCoreShop} (undertow-core only, no servlets) on one undertow-core line, at {@code /shop}. */
    static ServerProcess undertowCore(String line, String name, int port, String agentOptions) throws Exception {
        Path dir = workDir(name);
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add(javaagent(agentOptions));
        Collections.addAll(cmd, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name,
                "-cp", UNDERTOW_LAUNCHER_JAR + ":" + serverLib(line) + "/*", "io.sessionmirror.demo.launcher.UndertowCoreShop",
                "--port", String.valueOf(port));
        return ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"));
    }

    private static ServerProcess launch(String name, int port, String agentOptions, Path launcher, Path lib, String mainClass,
                                        Path war, List<String> extra) throws Exception {
        Path dir = workDir(name);
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        if (agentOptions != null) {
            cmd.add(javaagent(agentOptions));
        }
        Collections.addAll(cmd, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name,
                "-Djava.io.tmpdir=" + dir, "-cp", launcher + ":" + lib + "/*", mainClass, "--port", String.valueOf(port),
                "--app", "/shop=" + war, "--app", "/shop2=" + war, "--shared-session-cookie");
        cmd.addAll(extra);
        return ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"));
    }

    /** Copies the tree {@code from} into {@code to}, file attributes included (start scripts stay executable). */
    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
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

    /** Deletes the tree {@code dir}; nothing when it is not there. */
    static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }
}
