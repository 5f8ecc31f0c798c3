package io.sessionmirror.agent.core;

/**
 * The one narrow interface between the server-agnostic core and a server family. Sessions, managers
 * and requests are the server's own objects, passed as {@code Object}; an adapter reaches into them
 * (reflectively: the agent's class loader cannot see server classes) and nothing else does.
 * Every method may be called on request threads and must be cheap unless documented otherwise.
 */
public interface ContainerAdapter {

    /** Why a session is being destroyed. */
    enum DestroyCause {
        /** The application invalidated it: delete the stored copy. */
        INVALIDATED,
        /** It timed out on this server: delete the stored copy unless another server has written it since. */
        TIMED_OUT,
        /** The server or web app is stopping: keep the stored copy, it is what failover is for. */
        SHUTDOWN,
        /** Not ours to act on (already expiring, or a session manager we do not mirror). */
        IGNORE
    }

    /** The web app a session manager serves, or null if this manager is not one we mirror. */
    WebApp webAppOfManager(Object manager);

    /** The web app a session belongs to, or null if it is not mirrored. */
    WebApp webAppOfSession(Object session);

    String sessionId(Object session);

    /** Max inactive interval in seconds (zero or less: never expires). */
    int maxInactiveSeconds(Object session);

    /** The session's current content, or null if it is no longer valid. Called at the end of a request. */
    SessionData snapshot(Object session);

    /** The session the manager holds locally under {@code id}, without asking the store. */
    Object findLocal(Object manager, String id) throws Exception;

    /**
     * Rebuilds a session from stored data inside the manager, under {@code id}, as if it had always been
     * there: no session-created or attribute-added events, but activation listeners are told.
     */
    Object restore(Object manager, String id, SessionData data) throws Exception;

    /** The session a request in progress holds, or null if it holds none (does not create or look up one). */
    Object sessionOfRequest(Object request);

    DestroyCause destroyCause(Object session);
}
