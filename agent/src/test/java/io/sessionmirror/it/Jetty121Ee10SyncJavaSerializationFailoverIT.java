package io.sessionmirror.it;

/** Jetty 12.1 ee10 with write=sync and JDK serialization: the other write path and codec on Jetty. */
class Jetty121Ee10SyncJavaSerializationFailoverIT extends Jetty121Ee10FailoverIT {
    @Override
    protected String options() {
        return super.options() + ",write=sync,serializer=java";
    }
}
