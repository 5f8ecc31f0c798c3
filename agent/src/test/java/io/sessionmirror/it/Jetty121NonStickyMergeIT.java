package io.sessionmirror.it;

class Jetty121NonStickyMergeIT extends AbstractNonStickyMergeIT {
    @Override
    protected ServerProcess launch(String name, int port, String options) throws Exception {
        return Servers.jetty("jetty-12.1-ee10", "ee10", name, port, options);
    }
}
