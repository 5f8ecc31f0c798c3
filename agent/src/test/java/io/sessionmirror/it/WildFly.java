package io.sessionmirror.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The WildFly distribution (org.wildfly:wildfly-dist, unpacked by demo-apps/servers/wildfly-39), run as its users run
 * it: {@code bin/standalone.sh} with the default {@code standalone.xml} profile (the smallest one the distribution
 * ships: no messaging, no clustering), the shop dropped into {@code standalone/deployments} as {@code shop.war} and
 * {@code shop2.war}, the agent added by one line appended to {@code bin/standalone.conf}.
 *
 * <p>Each server is a copy of the distribution, except that the large read-only parts ({@code modules/},
 * {@code jboss-modules.jar}, {@code welcome-content/}) are symbolic links: {@code bin/} and {@code standalone/}
 * are its own. Its ports come from the {@code jboss.http.port}, {@code jboss.https.port} and
 * {@code jboss.management.http.port} properties (the only three a standalone.xml server listens on).
 *
 * <p>Both web apps share one session cookie with path {@code /}, as in every other server's tests. WildFly's
 * undertow subsystem cannot set a cookie path, and the war's own descriptors must stay as built, so a
 * <em>deployment overlay</em> (WildFly's documented way to replace a descriptor of a deployment without touching
 * the archive) gives both deployments the shop's own {@code web.xml} plus {@code <cookie-config><path>/}. It is
 * made once, with the management CLI on an embedded server, in a template every server copies.
 */
final class WildFly {

    /** How the agent is added in {@code bin/standalone.conf}. */
    enum AgentIn {
        /** {@code JAVA_OPTS="$JAVA_OPTS -javaagent:..."}: the JVM's options. */
        JAVA_OPTS,
        /** {@code MODULE_OPTS="$MODULE_OPTS -javaagent:..."}: JBoss Modules' own options, WildFly's documented way. */
        MODULE_OPTS
    }

    private WildFly() {
    }

    /** The unpacked distribution, e.g. .../target/wildfly-39.0.1.Final. */
    static Path home() {
        Path target = Servers.DEMO_SERVERS_DIR.resolve("wildfly-39").resolve("target");
        try (Stream<Path> dirs = Files.list(target)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("wildfly-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no wildfly-* in " + target + ": build demo-apps/servers first"));
        } catch (IOException e) {
            throw new IllegalStateException(target + " is missing: build demo-apps/servers/wildfly-39 first", e);
        }
    }

    /** The distribution's version, e.g. 39.0.1.Final. */
    static String version() {
        return home().getFileName().toString().substring("wildfly-".length());
    }

    static String[] label() {
        return new String[] {"WildFly (wildfly-dist)", version(), ""};
    }

    /**
     * A server named {@code name} (its shop says so) with instance-id {@code route} (what WildFly appends to session
     * ids in cookies, {@code jboss.node.name}), the agent in {@code bin/standalone.conf} with {@code agentOptions}
     * (null: without the agent).
     */
    static ServerProcess launch(String name, String route, int port, String agentOptions, AgentIn agentIn) throws Exception {
        Path home = home();
        Path server = Servers.workDir(name).resolve("wildfly");
        Files.createDirectories(server);
        for (String shared : List.of("modules", "jboss-modules.jar", "welcome-content")) {
            Files.createSymbolicLink(server.resolve(shared), home.resolve(shared));
        }
        Servers.copyTree(home.resolve("bin"), server.resolve("bin"));
        Servers.copyTree(template(home), server.resolve("standalone"));
        if (agentOptions != null) {
            Files.write(server.resolve("bin/standalone.conf"), List.of(
                    agentIn + "=\"$" + agentIn + " " + Servers.javaagent(agentOptions) + "\""),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        }
        return ServerProcess.launch(name, port, List.of(server.resolve("bin/standalone.sh").toString(),
                        "-Djboss.http.port=" + port, "-Djboss.https.port=" + Memcached.freePort(),
                        "-Djboss.management.http.port=" + Memcached.freePort(), "-Djboss.node.name=" + route,
                        "-Ddemo.server.name=" + name),
                // In the background, as service managers run it: the script then relays a SIGTERM to the JVM.
                // JBOSS_JAVA_SIZING (standalone.conf's own knob, its defaults stay) adds C1-only JIT: on 2 busy cores
                // WildFly starts in about half the time (9 s instead of 14 to 22 s).
                Map.of("JAVA_HOME", Servers.javaHome(), "LAUNCH_JBOSS_IN_BACKGROUND", "true",
                        "JBOSS_JAVA_SIZING", "-Xms64m -Xmx512m -XX:TieredStopAtLevel=1"),
                server.resolve("console.log"));
    }

    /**
     * {@code standalone/} with the deployment overlay and both wars, made once per build (shared by the test JVMs: it
     * is made aside and moved into place).
     */
    private static synchronized Path template(Path home) throws Exception {
        Path template = Servers.WORK_DIR.resolve("wildfly-template-" + home.getFileName());
        if (Files.isDirectory(template)) {
            return template;
        }
        Path making = Servers.workDir("wildfly-template");
        Path scratch = making.resolve("jboss-home");
        Files.createDirectories(scratch);
        for (String shared : List.of("modules", "jboss-modules.jar", "bin")) {
            Files.createSymbolicLink(scratch.resolve(shared), home.resolve(shared));
        }
        Path standalone = scratch.resolve("standalone");
        Servers.copyTree(home.resolve("standalone"), standalone);
        Path webXml = making.resolve("web.xml");
        Files.writeString(webXml, sharedCookieWebXml(), StandardCharsets.UTF_8);
        Path script = making.resolve("overlay.cli");
        Files.write(script, List.of(
                "embed-server --server-config=standalone.xml",
                "deployment-overlay add --name=shared-session-cookie --content=/WEB-INF/web.xml=" + webXml
                        + " --deployments=shop.war,shop2.war",
                "stop-embedded-server"), StandardCharsets.UTF_8);
        Path log = making.resolve("cli.log");
        ProcessBuilder cliCommand = new ProcessBuilder(scratch.resolve("bin/jboss-cli.sh").toString(), "--file=" + script)
                .redirectErrorStream(true).redirectOutput(log.toFile()).directory(making.toFile());
        cliCommand.environment().put("JAVA_HOME", Servers.javaHome());
        cliCommand.environment().put("JBOSS_HOME", scratch.toString());
        Process cli = cliCommand.start();
        if (cli.waitFor() != 0) {
            throw new IllegalStateException("jboss-cli.sh failed:\n" + Files.readString(log));
        }
        // The embedded server's leftovers are no part of a fresh server.
        for (String dir : List.of("log", "tmp", "data/kernel")) {
            Servers.deleteTree(standalone.resolve(dir));
        }
        Files.copy(Servers.JAKARTA_WAR, standalone.resolve("deployments/shop.war"));
        Files.copy(Servers.JAKARTA_WAR, standalone.resolve("deployments/shop2.war"));
        try {
            Files.move(standalone, template, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(template)) {
                throw e;
            }
            // another test JVM made it meanwhile (a rename, so complete): the same content
        }
        return template;
    }

    /** The shop's own web.xml (from the war as built), with a session cookie of path {@code /}. */
    private static String sharedCookieWebXml() throws IOException {
        try (java.util.zip.ZipFile war = new java.util.zip.ZipFile(Servers.JAKARTA_WAR.toFile())) {
            String xml = new String(war.getInputStream(war.getEntry("WEB-INF/web.xml")).readAllBytes(), StandardCharsets.UTF_8);
            if (!xml.contains("</session-config>")) {
                throw new IllegalStateException("the shop's web.xml has no <session-config>:\n" + xml);
            }
            return xml.replace("</session-config>", "  <cookie-config><path>/</path></cookie-config>\n  </session-config>");
        }
    }

}
