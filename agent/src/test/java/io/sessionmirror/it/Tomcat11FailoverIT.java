package io.sessionmirror.it;

/** Apache Tomcat 11.0 (jakarta.servlet), embedded, in its own JVM. */
class Tomcat11FailoverIT extends AbstractFailoverIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.embeddedTomcat(Servers.TOMCAT11, name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT11, ""};
    }
}
