package io.sessionmirror.it;

/** Attach to a running embedded Undertow 2.3 (servlet). */
class UndertowAttachIT extends AbstractAttachIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.undertow(name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Undertow (embedded, servlet)", Servers.versionOf(Servers.serverLib("undertow-2.3"), "undertow-core"), ""};
    }
}
