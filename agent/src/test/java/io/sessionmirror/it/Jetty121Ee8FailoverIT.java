package io.sessionmirror.it;

/**
 * Jetty 12.1, EE 8 environment (javax.servlet), embedded. Maven Central here serves 12.1's ee8 modules
 * up to 12.1.11 only (12.1.14 has ee10 and ee11), so this runs 12.1.11.
 */
class Jetty121Ee8FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-12.1-ee8";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, "ee8", name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee8"};
    }
}
