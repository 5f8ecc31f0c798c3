package io.sessionmirror.it;

/**
 * The WildFly distribution, run as its users run it ({@link WildFly}): {@code bin/standalone.sh}, the agent in
 * one {@code JAVA_OPTS} line appended to {@code bin/standalone.conf}, the shop in {@code standalone/deployments}.
 * Each server's instance-id (its route in session cookies) is its name.
 */
class WildFlyFailoverIT extends AbstractFailoverIT {

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return WildFly.launch(name, name, port, agentOptions, WildFly.AgentIn.JAVA_OPTS);
    }

    @Override
    public String[] serverLabel() {
        return WildFly.label();
    }
}
