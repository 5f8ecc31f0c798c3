package io.sessionmirror.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The rolling upgrade on embedded Jetty 12.1 (EE 10), its user in a HashLoginService. */
class Jetty121Ee10RollingUpgradeIT extends AbstractRollingUpgradeIT {

    private static final String LINE = "jetty-12.1-ee10";

    @Override
    protected ServerProcess launch(String name, int port, Path war, String agentOptions) throws Exception {
        Path dir = Servers.workDir(name);
        List<String> cmd = new ArrayList<>();
        Collections.addAll(cmd, Servers.java(), Servers.javaagent(agentOptions), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Ddemo.server.name=" + name, "-Djava.io.tmpdir=" + dir,
                "-cp", Servers.JETTY_LAUNCHER_JAR + ":" + Servers.serverLib(LINE) + "/*",
                "io.sessionmirror.demo.launcher.JettyLauncher", "--port", String.valueOf(port), "--env", "ee10",
                "--app", "/upgrade=" + war, "--realm", REALM, "--user", USER);
        return ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"));
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee10"};
    }
}
