package io.sessionmirror.it;

/** Apache Tomcat 9.0 (javax.servlet), embedded, in its own JVM. */
class Tomcat9FailoverIT extends AbstractFailoverIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.embeddedTomcat(Servers.TOMCAT9, name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT9, ""};
    }
}
