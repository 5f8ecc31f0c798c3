package io.sessionmirror.it;

/** Jetty 12.0, EE 8 environment (javax.servlet), embedded */
class Jetty120Ee8FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-12.0-ee8";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, "ee8", name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee8"};
    }
}
