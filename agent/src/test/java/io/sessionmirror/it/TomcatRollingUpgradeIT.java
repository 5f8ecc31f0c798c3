package io.sessionmirror.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The rolling upgrade on embedded Tomcat 10.1, its user in the engine's realm. */
class TomcatRollingUpgradeIT extends AbstractRollingUpgradeIT {

    @Override
    protected ServerProcess launch(String name, int port, Path war, String agentOptions) throws Exception {
        Path dir = Servers.workDir(name);
        List<String> cmd = new ArrayList<>();
        Collections.addAll(cmd, Servers.java(), Servers.javaagent(agentOptions), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Ddemo.server.name=" + name,
                "-cp", Servers.LAUNCHER_JAR + ":" + Servers.SERVERS_DIR.resolve("tomcat-" + Servers.TOMCAT10) + "/*",
                "io.sessionmirror.demo.launcher.TomcatLauncher", "--port", String.valueOf(port),
                "--app", "/upgrade=" + war, "--user", USER, "--base", dir.toString());
        return ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"));
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT10, ""};
    }
}
