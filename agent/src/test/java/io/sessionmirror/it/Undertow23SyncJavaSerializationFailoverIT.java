package io.sessionmirror.it;

/** Undertow 2.3 with write=sync and JDK serialization: the other write path and codec on Undertow. */
class Undertow23SyncJavaSerializationFailoverIT extends Undertow23FailoverIT {
    @Override
    protected String options() {
        return super.options() + ",write=sync,serializer=java";
    }
}
