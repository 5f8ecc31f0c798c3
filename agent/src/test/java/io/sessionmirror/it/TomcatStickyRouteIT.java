package io.sessionmirror.it;

import java.util.List;

/** Server A's route is its Engine's jvmRoute; B's comes from the agent's {@code route} option. */
class TomcatStickyRouteIT extends AbstractStickyRouteIT {
    @Override
    protected ServerProcess launch(String name, int port, String options, String route) throws Exception {
        if (route.equals("a")) {
            return Servers.embeddedTomcat(Servers.TOMCAT10, name, port, options, List.of("--jvm-route", route));
        }
        return Servers.embeddedTomcat(Servers.TOMCAT10, name, port, options + ",route=" + route);
    }
}
