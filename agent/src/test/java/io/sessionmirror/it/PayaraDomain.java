package io.sessionmirror.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Payara Server domains for the tests (and Eclipse GlassFish's, the same asadmin and domain layout), made the way an
 * administrator makes them, once: the distribution's own {@code domain1} copied with its ports changed, Payara's
 * Hazelcast data grid switched off (each test server is a cluster of one; the grid would only cost start-up time;
 * GlassFish has none), then started with {@code asadmin start-domain},
 * the shop deployed twice with {@code asadmin deploy} (as /shop and /shop2) and stopped with
 * {@code asadmin stop-domain}. Every test server then gets a copy of that domain (deployed apps, warm OSGi cache)
 * with fresh ports and its JVM options added to domain.xml's {@code <java-config>}, which is what
 * {@code asadmin create-jvm-options} writes (one such call per server would cost a running server).
 *
 * <p>The session cookie: both apps share one cookie with path /, as in every other test. Payara takes a session
 * cookie path only from an app's glassfish-web.xml (its default-web.xml's session-config is replaced by the app's
 * own), so the deploy command supplies one in a deployment plan ({@code asadmin deploy --deploymentplan}): the
 * war stays the one every other server runs. /shop2's plan also sets {@code reuseSessionID}: without it Payara
 * gives /shop2 a new id although the browser sends the one /shop made (Tomcat and Jetty reuse an id that another app
 * of the host knows), and the two apps overwrite each other's cookie. Payara's reuseSessionID adopts ANY requested
 * id, known or not (session fixation), so /shop, where the contract checks that a planted id is never adopted,
 * keeps Payara's default: the agent's own part (no adoption by the store fallback) is what that case tests.
 */
final class PayaraDomain {

    /** The ports of domain1 (asadmin create-domain's defaults) that a copy must change, by what listens there. */
    private static final Map<String, Integer> DOMAIN1_PORTS = new LinkedHashMap<>();

    static {
        DOMAIN1_PORTS.put("http", 8080);
        DOMAIN1_PORTS.put("admin", 4848);
        DOMAIN1_PORTS.put("https", 8181);
        DOMAIN1_PORTS.put("jms", 7676);
        DOMAIN1_PORTS.put("iiop", 3700);
        DOMAIN1_PORTS.put("iiop-ssl", 3820);
        DOMAIN1_PORTS.put("iiop-mutual-auth", 3920);
        DOMAIN1_PORTS.put("jmx", 8686);
        DOMAIN1_PORTS.put("osgi-shell", 6666);
        DOMAIN1_PORTS.put("hazelcast-das", 4900);
        DOMAIN1_PORTS.put("hazelcast-start", 5900);
    }

    /** glassfish-web.xml of a deployment plan: the shared cookie, and for the second app the reuse of the first's id. */
    private static String deploymentPlan(boolean reuseSessionId) {
        return String.join("\n",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<!DOCTYPE glassfish-web-app PUBLIC \"-//GlassFish.org//DTD GlassFish Application Server 3.1 Servlet 3.0//EN\"",
                "  \"http://glassfish.org/dtds/glassfish-web-app_3_0-1.dtd\">",
                "<glassfish-web-app>",
                "  <session-config>",
                "    <cookie-properties>",
                "      <property name=\"cookiePath\" value=\"/\"/>",
                "    </cookie-properties>",
                "  </session-config>",
                reuseSessionId ? "  <property name=\"reuseSessionID\" value=\"true\"/>" : "",
                "</glassfish-web-app>", "");
    }

    /** The domain every server copies, made once per test JVM and distribution. */
    private static final Map<Path, PayaraDomain> TEMPLATES = new java.util.HashMap<>();

    private final Path home;
    private final Path domain;
    /** The ports the template's domain.xml holds, by what listens there. */
    private final Map<String, Integer> ports;

    private PayaraDomain(Path home, Path domain, Map<String, Integer> ports) {
        this.home = home;
        this.domain = domain;
        this.ports = ports;
    }

    /**
     * The unpacked distribution {@code folder} under demo-apps/servers/{@code module}/target, e.g. payara-6's
     * payara6; fails with what to do when it is not there.
     */
    static Path distribution(String module, String folder) {
        Path home = Servers.DEMO_SERVERS_DIR.resolve(module + "/target/" + folder);
        if (!Files.isExecutable(home.resolve("bin/asadmin"))) {
            throw new IllegalStateException(home + " is missing: build demo-apps/servers first ('mvn verify' does)");
        }
        return home;
    }

    /** What a distribution says it is: glassfish/config/branding/glassfish-version.properties. */
    static java.util.Properties branding(Path home) {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(home.resolve("glassfish/config/branding/glassfish-version.properties"))) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return p;
    }

    /** The template domain of the Payara Server at {@code home} (its payara6 folder), made on first use. */
    static PayaraDomain template(Path home) throws Exception {
        return template(home, "payara");
    }

    /**
     * The template domain of the distribution at {@code home} (its payara6 or glassfish8 folder), made on first use;
     * {@code distribution} names its work folder.
     */
    static synchronized PayaraDomain template(Path home, String distribution) throws Exception {
        PayaraDomain t = TEMPLATES.get(home);
        if (t == null) {
            t = makeWithFreshPortsIfTaken(home, distribution);
            TEMPLATES.put(home, t);
        }
        return t;
    }

    /**
     * Eleven ports chosen free may not all stay free until the server binds them (other test JVMs on the machine):
     * a start that failed on a port taken meanwhile is tried again on other ports, twice at most.
     */
    private static PayaraDomain makeWithFreshPortsIfTaken(Path home, String distribution) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return make(home, distribution);
            } catch (IllegalStateException e) {
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static PayaraDomain make(Path home, String distribution) throws Exception {
        Path dir = Servers.workDir(distribution + "-domain-template");
        Path domain = dir.resolve("template");
        Servers.copyTree(home.resolve("glassfish/domains/domain1"), domain);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String listener : DOMAIN1_PORTS.keySet()) {
            ports.put(listener, freshPort(ports));
        }
        Path domainXml = domain.resolve("config/domain.xml");
        String xml = replacePorts(Files.readString(domainXml), DOMAIN1_PORTS, ports);
        if (xml.contains("<hazelcast-config-specific-configuration")) { // Payara's grid; GlassFish has none
            String gridOn = "<hazelcast-config-specific-configuration></hazelcast-config-specific-configuration>";
            if (!xml.contains(gridOn)) {
                throw new IllegalStateException("Hazelcast of server-config not as expected (on) in " + domainXml);
            }
            xml = xml.replaceFirst(gridOn,
                    "<hazelcast-config-specific-configuration enabled=\"false\"></hazelcast-config-specific-configuration>");
        }
        Files.writeString(domainXml, xml);
        String admin = String.valueOf(ports.get("admin"));
        Path log = dir.resolve("asadmin.log");
        asadmin(home, log, "start-domain", "--domaindir", dir.toString(), "template");
        try {
            for (String app : List.of("shop", "shop2")) {
                Path plan = dir.resolve(app + "-plan.jar");
                try (OutputStream out = Files.newOutputStream(plan); JarOutputStream jar = new JarOutputStream(out)) {
                    jar.putNextEntry(new JarEntry("glassfish-web.xml"));
                    jar.write(deploymentPlan(app.equals("shop2")).getBytes(StandardCharsets.UTF_8));
                }
                asadmin(home, log, "--port", admin, "deploy", "--name", app, "--contextroot", "/" + app,
                        "--deploymentplan", plan.toString(), Servers.JAKARTA_WAR.toString());
            }
        } finally {
            asadmin(home, log, "stop-domain", "--domaindir", dir.toString(), "template");
        }
        Servers.deleteTree(domain.resolve("logs"));
        Files.createDirectories(domain.resolve("logs"));
        return new PayaraDomain(home, domain, ports);
    }

    /**
     * A copy of the template at {@code parent}/{@code name}, serving HTTP on {@code httpPort}, every other
     * listener on a fresh port, with {@code jvmOptions} added to the server's JVM options.
     */
    Path copy(Path parent, String name, int httpPort, List<String> jvmOptions) throws IOException {
        Path copy = parent.resolve(name);
        Servers.copyTree(domain, copy);
        Map<String, Integer> fresh = new LinkedHashMap<>();
        fresh.put("http", httpPort);
        for (String listener : ports.keySet()) {
            if (!listener.equals("http")) {
                fresh.put(listener, freshPort(fresh));
            }
        }
        Path domainXml = copy.resolve("config/domain.xml");
        String xml = replacePorts(Files.readString(domainXml), ports, fresh);
        // the options go first in server-config's java-config (default-config's, further down, is a template)
        java.util.regex.Matcher javaConfig = java.util.regex.Pattern
                .compile("<config name=\"server-config\".*?<java-config[^>]*>", java.util.regex.Pattern.DOTALL).matcher(xml);
        if (!javaConfig.find()) {
            throw new IllegalStateException("no java-config of server-config in " + domainXml);
        }
        StringBuilder added = new StringBuilder();
        for (String option : jvmOptions) {
            added.append("\n                <jvm-options>").append(xmlText(option)).append("</jvm-options>");
        }
        Files.writeString(domainXml, xml.substring(0, javaConfig.end()) + added + xml.substring(javaConfig.end()));
        return copy;
    }

    /** {@code asadmin} of the distribution, with the JDK the servers run on. */
    /**
     * A server named {@code name} on {@code port}: a copy of this template with the agent among its JVM options (none
     * when {@code agentOptions} is null),
     * started with {@code asadmin start-domain --verbose} (the server JVM is asadmin's child; see {@link ServerProcess}).
     */
    ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        Path dir = Servers.workDir(name);
        // C1 only, as for the embedded servers: start-up time on two shared cores, no behaviour of the server.
        List<String> options = new ArrayList<>(List.of("-Ddemo.server.name=" + name, "-XX:TieredStopAtLevel=1"));
        if (agentOptions != null) { // null: without the agent (an attach test attaches it later)
            options.add(0, Servers.javaagent(agentOptions));
        }
        copy(dir, "domain", port, options);
        return ServerProcess.launch(name, port,
                List.of(asadmin().toString(), "start-domain", "--verbose", "--domaindir", dir.toString(), "domain"),
                Map.of("AS_JAVA", Servers.javaHome()), dir.resolve("server.log"));
    }

    Path asadmin() {
        return home.resolve("bin/asadmin");
    }

    private static void asadmin(Path home, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/asadmin").toString()));
        cmd.addAll(List.of(args));
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("AS_JAVA", Servers.javaHome());
        Process p = pb.start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("asadmin " + String.join(" ", args) + " failed:\n" + Files.readString(log));
        }
    }

    /**
     * Every port of {@code from} replaced by the one of {@code to} for the same listener, in one pass (a new port may
     * equal an old one of another listener), whole numbers only.
     */
    private static String replacePorts(String xml, Map<String, Integer> from, Map<String, Integer> to) {
        Map<String, String> byOld = new java.util.HashMap<>();
        from.forEach((listener, port) -> byOld.put(String.valueOf(port), String.valueOf(to.get(listener))));
        java.util.regex.Pattern old = java.util.regex.Pattern.compile("(?<![0-9])(" + String.join("|", byOld.keySet()) + ")(?![0-9])");
        return old.matcher(xml).replaceAll(m -> byOld.get(m.group(1)));
    }

    private static int freshPort(Map<String, Integer> taken) throws IOException {
        while (true) {
            int port = Memcached.freePort();
            if (!taken.containsValue(port)) {
                return port;
            }
        }
    }

    private static String xmlText(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

}
