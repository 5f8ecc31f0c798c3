package io.sessionmirror.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Debian's own, unmodified Jetty 9.4 package ({@code jetty9}), run the way a Jetty distribution is run:
 * a {@code jetty.base} made with {@code start.jar --add-to-start=http,deploy}, the web apps deployed by
 * context XML files in {@code webapps/}, and the agent on the {@code java ... -jar start.jar} command line
 * (what Debian's service puts in {@code JAVA_OPTIONS}).
 */
class DebianJetty9FailoverIT extends AbstractFailoverIT {

    private static final Path JETTY_HOME = Paths.get("/usr/share/jetty9");

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        Path startJar = JETTY_HOME.resolve("start.jar");
        if (!Files.isRegularFile(startJar)) {
            throw new IllegalStateException("Debian's jetty9 package is not installed: apt-get install jetty9");
        }
        Path base = Servers.workDir(name).resolve("jetty-base");
        Files.createDirectories(base.resolve("webapps"));
        Process init = new ProcessBuilder(Servers.java(), "-jar", startJar.toString(), "jetty.home=" + JETTY_HOME,
                "jetty.base=" + base, "--add-to-start=http,deploy").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (init.waitFor() != 0) {
            throw new IllegalStateException("start.jar --add-to-start failed with " + init.exitValue());
        }
        Path war = base.resolve("shop.war");
        Files.copy(Servers.JAVAX_WAR, war);
        for (String context : List.of("shop", "shop2")) {
            // Both apps share one session cookie (path /), as in the embedded tests.
            Files.write(base.resolve("webapps/" + context + ".xml"), List.of(
                    "<?xml version=\"1.0\"?>",
                    "<!DOCTYPE Configure PUBLIC \"-//Jetty//Configure//EN\" \"http://www.eclipse.org/jetty/configure_9_3.dtd\">",
                    "<Configure class=\"org.eclipse.jetty.webapp.WebAppContext\">",
                    "  <Set name=\"contextPath\">/" + context + "</Set>",
                    "  <Set name=\"war\">" + war + "</Set>",
                    "  <Get name=\"sessionHandler\"><Get name=\"sessionCookieConfig\"><Set name=\"path\">/</Set></Get></Get>",
                    "</Configure>"), StandardCharsets.UTF_8);
        }
        return ServerProcess.launch(name, port, List.of(Servers.java(), Servers.javaagent(agentOptions),
                        "-Ddemo.server.name=" + name, "-Xmx256m", "-Djava.io.tmpdir=" + base, "-jar", startJar.toString(),
                        "jetty.home=" + JETTY_HOME, "jetty.base=" + base, "jetty.http.port=" + port),
                Map.of(), base.resolve("server.log"));
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (Debian jetty9 package)", Servers.versionOf(JETTY_HOME.resolve("lib"), "jetty-server"), ""};
    }
}
