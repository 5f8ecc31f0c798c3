package io.sessionmirror.it;

/** Jetty 11.0 (jakarta.servlet 5), embedded */
class Jetty11FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-11.0";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, null, name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), ""};
    }
}
