package io.sessionmirror.bootstrap;

/**
 * The static entry points that advice inlined into server classes calls. Every server family gets a
 * slot; the agent installs one {@link MirrorHooks} per slot. Until a slot is installed (or after the
 * agent is switched off) every call is a cheap no-op. No call lets a Throwable escape: the agent must
 * never break a request. A Throwable a hook throws goes to the {@link HookFailureSink}, which logs and
 * counts it: a hook that fails is never silent.
 *
 * <h2>The {@code request} argument, per family</h2>
 * Server types are invisible here, so what the advice passes as {@code request} is the server's own object,
 * and it is not the same kind of object in every family. This is the whole contract; each family's advice
 * class repeats its own row, and its adapter's {@code requestOf} turns it into the request object:
 * <table>
 * <caption>What each hook's {@code request} is</caption>
 * <tr><th>hook</th><th>Tomcat (slot 0)</th><th>Jetty (slot 1)</th><th>Undertow (slot 2)</th></tr>
 * <tr><td>{@link #sessionNotFound(int, Object, String, Object) sessionNotFound}</td><td>null (id given)</td>
 *     <td>null (id given)</td><td>{@code Object[] {HttpServerExchange, SessionConfig}}, id null: the adapter
 *     reads the id from the exchange and needs both to build the session</td></tr>
 * <tr><td>{@link #sessionFound sessionFound}</td><td>null</td><td>the requested extended id
 *     ({@code <id>.<worker>}) as a String</td><td>{@code Object[] {HttpServerExchange, SessionConfig}}: the
 *     config tells another server's route in the cookie (WildFly), and a replacement is built as on a miss</td></tr>
 * <tr><td>{@link #requestStarting requestStarting}</td><td>{@code org.apache.catalina.connector.Request}</td>
 *     <td>not called</td><td>not called</td></tr>
 * <tr><td>{@link #requestCompleting requestCompleting}</td><td>{@code org.apache.catalina.connector.Request}</td>
 *     <td>the session being committed (Jetty's {@code Session}/{@code ManagedSession})</td>
 *     <td>the servlet layer's {@code HttpServletResponseImpl}</td></tr>
 * </table>
 */
public final class MirrorBridge {

    /** Number of server-family slots; advice refers to its slot by a compile-time constant. */
    public static final int SLOTS = 8;

    private static final MirrorHooks[] HOOKS = new MirrorHooks[SLOTS];

    /**
     * Set while the agent itself rebuilds a session, so the attribute and lifecycle events that the
     * rebuild causes are not mistaken for application changes. Also guards lookups against re-entry.
     * Per thread: true while it does agent work. One slot per thread, set and cleared in place: asked at every
     * hook, so asking allocates nothing (a removed thread-local would be created again at the next hook).
     */
    private static final ThreadLocal<boolean[]> BUSY = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Told of every Throwable a hook throws; null until the agent installs one. */
    private static volatile HookFailureSink failures;

    private MirrorBridge() {
    }

    /** The agent's logging and counting of hook failures (see {@link #failed}). */
    public static void onFailure(HookFailureSink sink) {
        failures = sink;
    }

    /**
     * A hook threw: the server's call goes on (the caller returns what it would without the agent), and the
     * agent is told so the failure is logged and counted, not lost. Nothing the sink throws escapes either.
     */
    private static void failed(int slot, String hook, Throwable failure) {
        HookFailureSink sink = failures;
        if (sink == null) {
            return;
        }
        try {
            sink.hookFailed(slot, hook, failure);
        } catch (Throwable ignored) {
            // a request must not break because reporting a failure failed (e.g. out of memory while logging)
        }
    }

    public static synchronized void install(int slot, MirrorHooks hooks) {
        HOOKS[slot] = hooks;
    }

    /** Marks the current thread as doing agent work (restore or lookup); returns the previous state. */
    public static boolean enterAgentWork() {
        boolean[] busy = BUSY.get();
        boolean was = busy[0];
        busy[0] = true;
        return was;
    }

    public static void exitAgentWork(boolean previous) {
        if (!previous) {
            BUSY.get()[0] = false;
        }
    }

    public static Object sessionNotFound(int slot, Object manager, String id) {
        if (id == null) {
            return null;
        }
        return sessionNotFound(slot, manager, id, null);
    }

    /**
     * A lookup found nothing locally. {@code request} is whatever the family's adapter needs to rebuild a
     * session in the middle of a request: null for Tomcat and Jetty, {@code Object[] {exchange, config}} for
     * Undertow (see the table above); {@code id} may be null when the adapter reads it from {@code request}.
     */
    public static Object sessionNotFound(int slot, Object manager, String id, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return null;
        }
        try {
            return h.sessionNotFound(manager, id, request);
        } catch (Throwable t) {
            failed(slot, "sessionNotFound", t);
            return null;
        }
    }

    /** The server wrapped data the agent restored into its own session object (Jetty). */
    public static void sessionLoaded(int slot, Object session) {
        MirrorHooks h = HOOKS[slot];
        if (h == null) {
            return;
        }
        try {
            h.sessionLoaded(session);
        } catch (Throwable t) {
            failed(slot, "sessionLoaded", t);
        }
    }

    public static void attributeWritten(int slot, Object session, String name) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return;
        }
        try {
            h.attributeWritten(session, name);
        } catch (Throwable t) {
            failed(slot, "attributeWritten", t);
        }
    }

    public static void attributeRead(int slot, Object session, Object value) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || value == null) {
            return;
        }
        try {
            h.attributeRead(session, value);
        } catch (Throwable t) {
            failed(slot, "attributeRead", t);
        }
    }

    /** An attribute was read, by name: the agent can then check that one attribute for an in-place change. */
    public static void attributeRead(int slot, Object session, String name, Object value) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || value == null) {
            return;
        }
        try {
            h.attributeRead(session, name, value);
        } catch (Throwable t) {
            failed(slot, "attributeRead", t);
        }
    }

    /** A request enters the web app (before any session lookup). {@code request}: Tomcat's connector Request. */
    public static void requestStarting(int slot, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null) {
            return;
        }
        try {
            h.requestStarting(request);
        } catch (Throwable t) {
            failed(slot, "requestStarting", t);
        }
    }

    /**
     * A manager found a local session; returns the session to use: the same one, refreshed if a newer version
     * was stored elsewhere (non-sticky mode), or null when it was discarded. {@code request}: Tomcat null,
     * Jetty the requested extended id (a String), Undertow the exchange and its session config (see the table above).
     */
    public static Object sessionFound(int slot, Object manager, Object session, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return session;
        }
        try {
            return h.sessionFound(manager, session, request);
        } catch (Throwable t) {
            failed(slot, "sessionFound", t);
            return session;
        }
    }

    /** A session was created for the request on this thread (Jetty: no lookup precedes it). */
    public static void sessionCreated(int slot, Object session) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return;
        }
        try {
            h.sessionCreated(session);
        } catch (Throwable t) {
            failed(slot, "sessionCreated", t);
        }
    }

    /**
     * The application is done with a request whose response is not complete yet ({@code write=sync} writes
     * here). {@code request}: Tomcat its connector Request, Jetty the session being committed, Undertow the
     * servlet response (see the table above).
     */
    public static void requestCompleting(int slot, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null) {
            return;
        }
        try {
            h.requestCompleting(request);
        } catch (Throwable t) {
            failed(slot, "requestCompleting", t);
        }
    }

    /**
     * A request starts using {@code session} (Tomcat {@code access()}, Undertow {@code requestStarted}); its
     * {@link #sessionReleased} ends that use. {@code request}: what the family's adapter needs to tell a first
     * use by a request from a repeated one (Undertow: the exchange), or null.
     */
    public static void sessionAcquired(int slot, Object session, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return;
        }
        try {
            h.sessionAcquired(session, request);
        } catch (Throwable t) {
            failed(slot, "sessionAcquired", t);
        }
    }

    public static void sessionReleased(int slot, Object session) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return;
        }
        try {
            h.sessionReleased(session);
        } catch (Throwable t) {
            failed(slot, "sessionReleased", t);
        }
    }

    public static void sessionDestroyed(int slot, Object session) {
        sessionDestroyed(slot, session, null);
    }

    /** {@code reason}: the server's own account of why, where it gives one (Undertow), else null. */
    public static void sessionDestroyed(int slot, Object session, Object reason) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return;
        }
        try {
            h.sessionDestroyed(session, reason);
        } catch (Throwable t) {
            failed(slot, "sessionDestroyed", t);
        }
    }

    public static void sessionIdChanged(int slot, Object session, String oldId) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get()[0]) {
            return;
        }
        try {
            h.sessionIdChanged(session, oldId);
        } catch (Throwable t) {
            failed(slot, "sessionIdChanged", t);
        }
    }
}
