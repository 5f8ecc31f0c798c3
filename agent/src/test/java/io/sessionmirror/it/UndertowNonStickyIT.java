package io.sessionmirror.it;

class UndertowNonStickyIT extends AbstractNonStickyIT {
    @Override
    protected ServerProcess launch(String name, int port, String options) throws Exception {
        return Servers.undertow(name, port, options);
    }
}
