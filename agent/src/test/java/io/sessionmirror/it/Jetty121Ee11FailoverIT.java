package io.sessionmirror.it;

/** Jetty 12.1, EE 11 environment (jakarta.servlet 6.1), embedded */
class Jetty121Ee11FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-12.1-ee11";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, "ee11", name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee11"};
    }
}
