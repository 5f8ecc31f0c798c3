package io.sessionmirror.it;

/**
 * WildFly's route is its undertow subsystem's {@code instance-id} ({@code jboss.node.name} by default), which it
 * appends to session ids in cookies and strips when it reads them.
 */
class WildFlyStickyRouteIT extends AbstractStickyRouteIT {
    @Override
    protected ServerProcess launch(String name, int port, String options, String route) throws Exception {
        return WildFly.launch(name, route, port, options, WildFly.AgentIn.JAVA_OPTS);
    }

    @Override
    public String serversRun() {
        return WildFly.label()[0];
    }
}
