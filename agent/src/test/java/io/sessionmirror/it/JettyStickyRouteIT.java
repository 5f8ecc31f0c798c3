package io.sessionmirror.it;

import java.util.List;

/** Jetty's route is its session id manager's worker name. */
class JettyStickyRouteIT extends AbstractStickyRouteIT {
    @Override
    protected ServerProcess launch(String name, int port, String options, String route) throws Exception {
        return Servers.jetty("jetty-12.1-ee10", "ee10", name, port, options, List.of("--worker-name", route));
    }
}
