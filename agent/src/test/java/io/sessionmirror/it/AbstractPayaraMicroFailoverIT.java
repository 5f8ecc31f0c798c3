package io.sessionmirror.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;

/**
 * Payara Micro, unmodified, started as its users start it: {@code java -javaagent:... -jar payara-micro.jar
 * --deploy shop.war --deploy shop2.war --port N}, each instance with its own {@code --rootdir}. Clustering is off
 * ({@code --nocluster}, and {@code --nohazelcast}: no data grid at all), so no instance sees another's sessions
 * but through Session Mirror; {@code --disablephonehome} keeps it off the network. Both wars share one session
 * cookie (path /), set in each war's own {@code WEB-INF/glassfish-web.xml} ({@code cookie-properties}): Payara
 * takes the cookie path only from an application's descriptors, not from its {@code default-web.xml} (tried).
 * The server-side alternative, a domain.xml or a command-line option, does not exist for the cookie path.
 */
abstract class AbstractPayaraMicroFailoverIT extends AbstractFailoverIT {

    /** Payara Micro boots slowly (a minute and more on a busy two-core machine): its own deadline. */
    private static final Duration BOOT = Duration.ofSeconds(240);

    /** demo-apps/servers module that copied the jar, e.g. payara-micro-6. */
    protected abstract String module();

    /** The JDK feature releases this Payara line runs on, as {@code {lowest, highest}}. */
    protected abstract int[] jdks();

    @BeforeEach
    void onASupportedJdk() {
        int jdk = Servers.serverJdk();
        assumeTrue(jdk >= jdks()[0] && jdk <= jdks()[1], module() + " does not run on JDK " + jdk);
    }

    private Path microJar() throws Exception {
        Path target = Servers.DEMO_SERVERS_DIR.resolve(module()).resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("payara-micro-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no payara-micro jar in " + target
                            + ": build demo-apps/servers first"));
        }
    }

    @Override
    public String[] serverLabel() {
        try {
            String jar = microJar().getFileName().toString();
            return new String[] {"Payara Micro", jar.substring("payara-micro-".length(), jar.length() - ".jar".length()), ""};
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The shop war with a glassfish-web.xml that sets the session cookie's path to /. Payara gives each web app ids
     * of its own; only {@code reuseSessionID} makes a new session take the id the browser sent, and it takes any id,
     * stored or not (a session fixation). So only /shop2 has it: it takes the id /shop gave the browser, as Tomcat
     * and Jetty reuse an id another web app of the host holds, while /shop, where the contract plants an unknown id,
     * makes ids of its own.
     */
    private static void warWithRootCookie(Path war, boolean reuseSessionId) throws Exception {
        Files.copy(Servers.JAKARTA_WAR, war);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + war.toUri()), Map.of())) {
            Files.write(zip.getPath("WEB-INF", "glassfish-web.xml"), List.of(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                    "<glassfish-web-app>",
                    reuseSessionId ? "  <property name=\"reuseSessionID\" value=\"true\"/>" : "",
                    "  <session-config>",
                    "    <cookie-properties>",
                    "      <property name=\"cookiePath\" value=\"/\"/>",
                    "    </cookie-properties>",
                    "  </session-config>",
                    "</glassfish-web-app>"), StandardCharsets.UTF_8);
        }
    }

    /** More JVM options for the instance {@code name} (a test of Payara's own settings, e.g. {@code -DjvmRoute}). */
    protected List<String> jvmOptions(String name) {
        return List.of();
    }

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        Path dir = Servers.workDir(name);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(Servers.java()));
        if (agentOptions != null) { // null: without the agent (an attach test attaches it later)
            cmd.add(Servers.javaagent(agentOptions));
        }
        cmd.addAll(List.of("-Ddemo.server.name=" + name, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp));
        cmd.addAll(jvmOptions(name));
        cmd.addAll(List.of("-jar", microJar().toString()));
        for (String context : List.of("shop", "shop2")) {
            Path war = dir.resolve(context + ".war"); // the context root is the war's name
            warWithRootCookie(war, context.equals("shop2"));
            cmd.addAll(List.of("--deploy", war.toString()));
        }
        cmd.addAll(List.of("--port", String.valueOf(port), "--rootdir", dir.resolve("root").toString(),
                "--nocluster", "--nohazelcast", "--disablephonehome"));
        ServerProcess server = ServerProcess.launch(name, port, cmd, Map.of("JAVA_HOME", Servers.javaHome()),
                dir.resolve("server.log"));
        try {
            server.awaitReady("/shop/stats", BOOT);
            server.awaitReady("/shop2/stats", BOOT); // the listener opens before the last deployment is in
            return server;
        } catch (Exception | AssertionError e) {
            server.close();
            throw e;
        }
    }
}
