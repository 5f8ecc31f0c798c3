package io.sessionmirror.it;

/** Jetty 10.0 (javax.servlet), embedded */
class Jetty10FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-10.0";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, null, name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), ""};
    }
}
