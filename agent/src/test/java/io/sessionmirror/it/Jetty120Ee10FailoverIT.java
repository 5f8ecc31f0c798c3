package io.sessionmirror.it;

/** Jetty 12.0, EE 10 environment (jakarta.servlet 6.0), embedded */
class Jetty120Ee10FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-12.0-ee10";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, "ee10", name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee10"};
    }
}
