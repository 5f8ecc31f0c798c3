package io.sessionmirror.it;

/** Attach to a running WildFly started without the agent (bin/standalone.sh; the JVM is the script's child). */
class WildFlyAttachIT extends AbstractAttachIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return WildFly.launch(name, name, port, agentOptions, WildFly.AgentIn.JAVA_OPTS);
    }

    @Override
    public String[] serverLabel() {
        return WildFly.label();
    }
}
