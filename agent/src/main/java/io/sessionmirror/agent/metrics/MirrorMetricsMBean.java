package io.sessionmirror.agent.metrics;

/**
 * What JMX shows, per web app ({@code sessionmirror:type=WebApp,name="<host>:<path>"}) and for the whole
 * agent ({@code sessionmirror:type=Agent}). Counters count since the agent started.
 */
public interface MirrorMetricsMBean {

    /** The web app ("Tomcat web app '/shop' on host localhost"), or "all web apps". */
    String getWebApp();

    long getRequests();

    /** Average time the agent spent on a request thread, in microseconds. */
    double getAgentMicrosPerRequest();

    long getWrites();

    long getWritesSkippedUnchanged();

    long getTouches();

    long getBytesWritten();

    long getLoadHits();

    long getLoadMisses();

    long getDeletes();

    long getFailures();

    long getStoreFailures();

    long getSerializeFailures();

    long getQueueFullDrops();

    long getRejectedEntries();

    long getOversizedSessions();

    long getRefusedWrites();

    long getDroppedTombstones();

    long getLostLocks();

    long getSkippedAttributes();

    long getReplicaRepairs();

    long getRecoveryWrites();

    long getNodeOutages();

    long getStaleRefreshes();

    long getLockWaits();

    long getLockTimeouts();

    /** Sessions waiting for an asynchronous write (shared by every web app). */
    int getQueueDepth();

    double getWriteLatencyP50Millis();

    double getWriteLatencyP99Millis();

    double getSerializeP50Micros();

    double getSerializeP99Micros();
}
