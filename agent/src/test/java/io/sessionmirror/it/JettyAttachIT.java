package io.sessionmirror.it;

/** Attach to a running embedded Jetty 12.1 (ee10). */
class JettyAttachIT extends AbstractAttachIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty("jetty-12.1-ee10", "ee10", name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib("jetty-12.1-ee10"), "jetty-server"), "ee10"};
    }
}
