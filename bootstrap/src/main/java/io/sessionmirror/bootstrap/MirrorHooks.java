package io.sessionmirror.bootstrap;

/**
 * What the agent does when instrumented server code reports a session event. Implemented inside the
 * agent's own class loader; the boot class path only ever sees this interface, so it may use JDK
 * types alone. Session, manager and request objects are passed as {@code Object}: the server's
 * types are not visible from here. What {@code request} is in each family is one table, in
 * {@link MirrorBridge}'s javadoc. A method may throw: the bridge hands the Throwable to its
 * {@link HookFailureSink} and the server's call goes on as if the agent were not there.
 */
public interface MirrorHooks {

    /**
     * A manager found no local session for {@code id}; returns a session rebuilt from the store, or null.
     * {@code request} carries what a family needs to rebuild a session mid-request (may be null); when
     * {@code id} is null the adapter reads it from {@code request}.
     */
    Object sessionNotFound(Object manager, String id, Object request);

    /** The server wrapped session content that the agent restored into its own session object. */
    void sessionLoaded(Object session);

    /** An attribute was set or removed. */
    void attributeWritten(Object session, String name);

    /** An attribute was read; {@code value} is what the application got back. */
    void attributeRead(Object session, Object value);

    /**
     * The attribute {@code name} was read; {@code value} is what the application got back. Hooks that do not track
     * attributes by name take it as {@link #attributeRead(Object, Object)}.
     */
    default void attributeRead(Object session, String name, Object value) {
        attributeRead(session, value);
    }

    /** A request enters the web app, before any session lookup. */
    default void requestStarting(Object request) {
    }

    /**
     * A manager found a local session for a request; returns the session to use (the same, refreshed in place
     * when a newer version is stored), or null when the local copy was dropped.
     */
    default Object sessionFound(Object manager, Object session, Object request) {
        return session;
    }

    /**
     * The server created {@code session} for the request running on this thread, which holds it until its
     * release. Only a family that reports no lookup for such a request needs it (Jetty).
     */
    default void sessionCreated(Object session) {
    }

    /**
     * A request starts using the session (until its {@link #sessionReleased}): while any does, the session is
     * not snapshotted in the background. Families whose server counts its sessions' requests itself (Jetty) do
     * not call it.
     */
    default void sessionAcquired(Object session, Object request) {
    }

    /** The server finished running the application for a request but has not completed the response yet. */
    void requestCompleting(Object request);

    /** A request released the session (the end of its use by that request). */
    void sessionReleased(Object session);

    /** The session is being invalidated, timed out, or torn down by a shutdown. */
    void sessionDestroyed(Object session, Object reason);

    /** The session's id changed from {@code oldId}. */
    void sessionIdChanged(Object session, String oldId);
}
