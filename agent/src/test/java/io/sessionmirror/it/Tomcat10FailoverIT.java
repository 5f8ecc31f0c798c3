package io.sessionmirror.it;

/** Apache Tomcat 10.1 (jakarta.servlet), embedded, in its own JVM. */
class Tomcat10FailoverIT extends AbstractFailoverIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.embeddedTomcat(Servers.TOMCAT10, name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT10, ""};
    }
}
