package io.sessionmirror.it;

/** Jetty 12.0, EE 9 environment (jakarta.servlet 5), embedded */
class Jetty120Ee9FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-12.0-ee9";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, "ee9", name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee9"};
    }
}
