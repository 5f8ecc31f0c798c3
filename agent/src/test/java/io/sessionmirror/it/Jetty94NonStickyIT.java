package io.sessionmirror.it;

class Jetty94NonStickyIT extends AbstractNonStickyIT {
    @Override
    protected ServerProcess launch(String name, int port, String options) throws Exception {
        return Servers.jetty("jetty-9.4", null, name, port, options);
    }
}
