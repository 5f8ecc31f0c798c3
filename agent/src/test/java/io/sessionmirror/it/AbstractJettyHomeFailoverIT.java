package io.sessionmirror.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Jetty 12 distribution, unmodified, run the way its documentation says: a fresh {@code jetty.base}
 * made with {@code start.jar --add-modules=http,<env>-deploy}, the shop dropped into {@code webapps/} as a
 * war, a second context described by a context XML file, and the agent on the
 * {@code java -jar start.jar} command line. Subclassed per jetty-home release and EE environment.
 */
abstract class AbstractJettyHomeFailoverIT extends AbstractFailoverIT {

    /** demo-apps/servers module that unpacked the distribution, e.g. jetty-home-12.0. */
    protected abstract String module();

    /** The EE environment to deploy to (ee8 to ee11). */
    protected abstract String environment();

    /** The modules of the jetty.base, for {@code start.jar --add-modules}. */
    protected String modules() {
        return "http," + environment() + "-deploy";
    }

    private Path jettyHome() throws Exception {
        Path target = Servers.DEMO_SERVERS_DIR.resolve(module()).resolve("target");
        try (Stream<Path> dirs = Files.list(target)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("jetty-home-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no jetty-home in " + target + ": build demo-apps/servers first"));
        }
    }

    @Override
    public String[] serverLabel() {
        try {
            return new String[] {"Jetty (jetty-home distribution)", jettyHome().getFileName().toString().substring("jetty-home-".length()),
                environment()};
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One jetty.base per distribution and environment, made by start.jar once; each server gets a copy. */
    private static final Map<String, Path> TEMPLATES = new java.util.HashMap<>();

    private Path template(Path home) throws Exception {
        synchronized (TEMPLATES) {
            Path template = TEMPLATES.get(home + "|" + modules());
            if (template != null) {
                return template;
            }
            Path base = Servers.workDir("jetty-base-template");
            Process init = new ProcessBuilder(Servers.java(), "-jar", home.resolve("start.jar").toString(), "jetty.home=" + home,
                    "jetty.base=" + base, "--add-modules=" + modules()).redirectErrorStream(true)
                    .redirectOutput(base.resolve("add-modules.log").toFile()).start();
            if (init.waitFor() != 0) {
                throw new IllegalStateException("start.jar --add-modules failed:\n" + Files.readString(base.resolve("add-modules.log")));
            }
            TEMPLATES.put(home + "|" + modules(), base);
            return base;
        }
    }

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        Path home = jettyHome();
        Path startJar = home.resolve("start.jar");
        Path base = Servers.workDir(name).resolve("jetty-base");
        Servers.copyTree(template(home), base);
        boolean javax = environment().equals("ee8");
        Path war = base.resolve("shop.war");
        Files.copy(javax ? Servers.JAVAX_WAR : Servers.JAKARTA_WAR, war);
        Files.createDirectories(base.resolve("webapps"));
        for (String context : List.of("shop", "shop2")) {
            // Context XML files, the distribution's way to set a context path and the session cookie path
            // (both apps share one cookie, path /, as in the embedded tests).
            Files.write(base.resolve("webapps/" + context + ".xml"), List.of(
                    "<?xml version=\"1.0\"?>",
                    "<!DOCTYPE Configure PUBLIC \"-//Jetty//Configure//EN\" \"https://jetty.org/configure_10_0.dtd\">",
                    "<Configure class=\"org.eclipse.jetty." + environment() + ".webapp.WebAppContext\">",
                    "  <Set name=\"contextPath\">/" + context + "</Set>",
                    "  <Set name=\"war\">" + war + "</Set>",
                    "  <Get name=\"sessionHandler\"><Set name=\"sessionPath\">/</Set></Get>",
                    "</Configure>"), StandardCharsets.UTF_8);
            Files.write(base.resolve("webapps/" + context + ".properties"), List.of("environment=" + environment()),
                    StandardCharsets.UTF_8);
        }
        return ServerProcess.launch(name, port, List.of(Servers.java(), Servers.javaagent(agentOptions),
                        "-Ddemo.server.name=" + name, "-Xmx256m", "-Djava.io.tmpdir=" + base, "-jar", startJar.toString(),
                        "jetty.home=" + home, "jetty.base=" + base, "jetty.http.port=" + port),
                Map.of(), base.resolve("server.log"));
    }
}
