package io.sessionmirror.it;

class TomcatNonStickyIT extends AbstractNonStickyIT {
    @Override
    protected ServerProcess launch(String name, int port, String options) throws Exception {
        return Servers.embeddedTomcat(Servers.TOMCAT10, name, port, options);
    }
}
