package io.sessionmirror.it;

/** Undertow 2.3 with its servlet layer (jakarta.servlet 6.0), embedded. */
class Undertow23FailoverIT extends AbstractFailoverIT {

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.undertow(name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Undertow (embedded, servlet)", Servers.versionOf(Servers.serverLib("undertow-2.3"), "undertow-core"), ""};
    }
}
