package io.sessionmirror.it;

/**
 * Jetty 12.1, EE 9 environment (jakarta.servlet 5), embedded. Maven Central here serves 12.1's ee9
 * modules up to 12.1.8 only (12.1.14 has ee10 and ee11), so this runs 12.1.8.
 */
class Jetty121Ee9FailoverIT extends AbstractFailoverIT {

    private static final String LINE = "jetty-12.1-ee9";

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.jetty(LINE, "ee9", name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee9"};
    }
}
