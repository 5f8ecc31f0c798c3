package io.sessionmirror.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Debian's own, unmodified Tomcat 10.1 package, launched the way its users launch it: an instance made
 * with {@code tomcat10-instance-create}, the agent added in {@code bin/setenv.sh} through
 * {@code CATALINA_OPTS} with comma-separated options (catalina.sh passes them through {@code eval}),
 * and {@code catalina.sh run}.
 */
class DebianTomcatCatalinaFailoverIT extends AbstractFailoverIT {

    private static final Path CATALINA_HOME = Paths.get("/usr/share/tomcat10");

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        if (!Files.isExecutable(CATALINA_HOME.resolve("bin/catalina.sh"))) {
            throw new IllegalStateException("Debian's tomcat10 package is not installed: apt-get install tomcat10 tomcat10-user");
        }
        Path base = Servers.workDir(name).resolve("catalina-base");
        Process create = new ProcessBuilder("tomcat10-instance-create", "-p", String.valueOf(port),
                "-c", String.valueOf(Memcached.freePort()), base.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (create.waitFor() != 0) {
            throw new IllegalStateException("tomcat10-instance-create failed with " + create.exitValue());
        }
        Files.copy(Servers.JAKARTA_WAR, base.resolve("webapps/shop.war"));
        Files.copy(Servers.JAKARTA_WAR, base.resolve("webapps/shop2.war"));
        // Both apps share one session cookie (path /), as in the embedded tests.
        Path contextXml = base.resolve("conf/context.xml");
        String context = new String(Files.readAllBytes(contextXml), StandardCharsets.UTF_8);
        Files.write(contextXml, context.replaceFirst("<Context>", "<Context sessionCookiePath=\"/\">")
                .getBytes(StandardCharsets.UTF_8));
        Files.write(base.resolve("bin/setenv.sh"), List.of(
                "CATALINA_OPTS=\"$CATALINA_OPTS " + Servers.javaagent(agentOptions) + " -Ddemo.server.name=" + name
                        + " -Xmx256m\""), StandardCharsets.UTF_8);
        return ServerProcess.launch(name, port, List.of(CATALINA_HOME.resolve("bin/catalina.sh").toString(), "run"),
                Map.of("CATALINA_HOME", CATALINA_HOME.toString(), "CATALINA_BASE", base.toString(),
                        "CATALINA_PID", base.resolve("tomcat.pid").toString(), "JAVA_HOME", Servers.javaHome()),
                base.resolve("server.log"));
    }

    @Override
    protected String options() {
        return super.options() + ",write=async,timeout=800";
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (Debian tomcat10 package)", debianTomcatVersion(), ""};
    }

    /** server.number from catalina.jar's ServerInfo.properties, e.g. 10.1.60.0. */
    private static String debianTomcatVersion() {
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(CATALINA_HOME.resolve("lib/catalina.jar").toFile())) {
            java.util.Properties p = new java.util.Properties();
            p.load(jar.getInputStream(jar.getEntry("org/apache/catalina/util/ServerInfo.properties")));
            String n = p.getProperty("server.number", "?");
            return n.endsWith(".0") ? n.substring(0, n.length() - 2) : n;
        } catch (java.io.IOException | RuntimeException e) {
            return "10.1 (version unknown)";
        }
    }
}
