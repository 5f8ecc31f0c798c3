package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.SessionData;

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

    /**
     * The id a request asks for, for families whose lookup hook does not see it directly (Undertow reads it
     * from the exchange); {@code request} is what the advice passed to the bridge.
     */
    default String requestedId(Object manager, Object request) {
        return null;
    }

    /**
     * Decodes a stored copy as the server decodes its own stored sessions: {@code decode} gets the class loader
     * to resolve classes with, and runs in the scope the server's own loads run in. The default is the web
     * app's loader, on the calling thread as it is. Jetty needs more: the classes of its FORM login
     * ({@code SessionAuthentication}) are server classes the web app's loader hides, and their readObject
     * finds the login service through the web app's context scope (see {@code JettyDecodeScope}).
     */
    default <T> T decodeAsServer(Object manager, WebApp app, Decode<T> decode) throws Exception {
        return decode.with(app.classLoader());
    }

    /** A decode of a stored copy with a given class loader. */
    @FunctionalInterface
    interface Decode<T> {
        T with(ClassLoader loader) throws Exception;
    }

    /** The session the manager holds locally under {@code id}, without asking the store. */
    Object findLocal(Object manager, String id) throws Exception;

    /**
     * Rebuilds a session from stored data inside the manager, under {@code id}, as if it had always been
     * there: no session-created or attribute-added events, but activation listeners are told.
     * {@code request} is what the lookup advice passed (may be null). A family whose server wraps the
     * returned object in a session of its own later (Jetty: session data, then a session) reports that
     * through {@link #restoredContent} and activates listeners in {@link #activated}.
     */
    Object restore(Object manager, String id, SessionData data, Object request) throws Exception;

    /**
     * For a session the server just built from loaded content: that content (what {@link #restore}
     * returned), or null if this family's restore returns the session itself.
     */
    default Object restoredContent(Object session) {
        return null;
    }

    /** Tells the activation listeners of a session built from restored content. */
    default void activated(Object session) throws Exception {
    }

    /**
     * Sticky mode: the id under which a session requested as {@code id} is restored on this server. A family
     * whose server puts a route in session ids (Tomcat's jvmRoute) gives it this server's route, or
     * {@code route} when the option is set, so the load balancer keeps the user here after a failover.
     */
    default String routedId(Object manager, String id, String route) {
        return id;
    }

    /** The {@code route} option is set: make new sessions of the request's web app carry it, if the server can. */
    default void useRoute(Object request, String route) {
    }

    /**
     * The session a request asked for was restored under {@code newId}: tell the client (a new session
     * cookie). {@code request} is the request in progress, or null when the family has none to hand.
     */
    default void idRewritten(Object request, String newId) throws Exception {
    }

    /** Drops a stale local copy from its manager without events (it is replaced by a newer stored one). */
    default void discard(Object manager, Object session) throws Exception {
        throw new UnsupportedOperationException("this server family cannot replace a local session");
    }

    /**
     * Non-sticky mode: replaces a live session's content with newer stored data, in place, without events.
     * Returns false when the family cannot (the session is then discarded and restored instead).
     */
    default boolean refresh(Object session, SessionData data) throws Exception {
        return false;
    }

    /**
     * Non-sticky mode, a session that other requests here may be using right now: sets only the attributes named
     * in {@code changed} to {@code data}'s values (removing those {@code data} lacks), and the timeout (and login)
     * as {@code data} has them; every other attribute stays as the running requests leave it, so a change one of
     * them makes meanwhile is not undone. False when the family cannot (then {@link #refresh} replaces all).
     */
    default boolean refreshChanged(Object session, SessionData data, java.util.Collection<String> changed)
            throws Exception {
        return false;
    }

    /** What {@link #refreshChanged} does to a session's live attribute map. */
    static void applyChanged(java.util.Map<String, Object> attributes, SessionData data,
                             java.util.Collection<String> changed) {
        for (String name : changed) {
            Object value = data.attributes().get(name);
            if (value == null) {
                attributes.remove(name);
            } else {
                attributes.put(name, value);
            }
        }
    }

    /**
     * Sticky mode: whether a session found locally was requested with another server's route (the user was
     * served elsewhere meanwhile, so this copy may be stale). {@code request} is what the lookup advice passed.
     */
    default boolean cameFromElsewhere(Object session, Object request) {
        return false;
    }

    /** The request object inside what a lookup advice passed (Undertow passes the exchange with its config). */
    default Object requestOf(Object lookupArgument) {
        return lookupArgument;
    }

    /** The URI path of a request in progress (for {@code lock=uri:...}), or null. */
    default String requestUri(Object request) {
        return null;
    }

    /** The session a request in progress holds, or null if it holds none (does not create or look up one). */
    Object sessionOfRequest(Object request);

    /** {@code reason}: what the destroy advice passed (the server's own reason where it has one), or null. */
    DestroyCause destroyCause(Object session, Object reason);

    /**
     * The sessions that live in this JVM right now, for an attach to export: found from what is loaded (the web
     * app class loaders, or a server's static registry) or from whatever else the server keeps reachable. Called
     * once, on a background thread; may be slow. Returns nothing when the family has no live sessions.
     */
    default java.util.List<Object> liveSessions(LoadedClasses loaded) {
        return java.util.Collections.emptyList();
    }

    /**
     * How many requests use {@code session} now, as the server itself counts them (Jetty); -1 when the server keeps
     * no such count and the agent counts through {@code sessionAcquired}/{@code sessionReleased}.
     */
    default int requestsUsing(Object session) {
        return -1;
    }

    /**
     * Whether a start of use reported for {@code request} is its first of {@code session} (Undertow reports one each
     * time a request looks its session up; its release comes once).
     */
    default boolean firstUse(Object session, Object request) {
        return true;
    }
}
