package io.sessionmirror.it;

class TomcatNonStickyMergeIT extends AbstractNonStickyMergeIT {
    @Override
    protected ServerProcess launch(String name, int port, String options) throws Exception {
        return Servers.embeddedTomcat(Servers.TOMCAT10, name, port, options);
    }
}
