package io.sessionmirror.it;

/** Attach to a running embedded Tomcat 10.1. */
class TomcatAttachIT extends AbstractAttachIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.embeddedTomcat(Servers.TOMCAT10, name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT10, ""};
    }
}
