package io.sessionmirror.it;

/** Tomcat 10.1 with write=sync and JDK serialization: the other write path and the other codec. */
class Tomcat10SyncJavaSerializationFailoverIT extends AbstractFailoverIT {
    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return Servers.embeddedTomcat(Servers.TOMCAT10, name, port, agentOptions);
    }

    @Override
    protected String options() {
        return super.options() + ",write=sync,serializer=java";
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT10, ""};
    }
}
