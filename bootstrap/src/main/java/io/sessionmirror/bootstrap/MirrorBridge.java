package io.sessionmirror.bootstrap;

/**
 * The static entry points that advice inlined into server classes calls. Every server family gets a
 * slot; the agent installs one {@link MirrorHooks} per slot. Until a slot is installed (or after the
 * agent is switched off) every call is a cheap no-op. No call lets a Throwable escape: the agent must
 * never break a request.
 */
public final class MirrorBridge {

    /** Number of server-family slots; advice refers to its slot by a compile-time constant. */
    public static final int SLOTS = 8;

    private static final MirrorHooks[] HOOKS = new MirrorHooks[SLOTS];

    /**
     * Set while the agent itself rebuilds a session, so the attribute and lifecycle events that the
     * rebuild causes are not mistaken for application changes. Also guards lookups against re-entry.
     */
    private static final ThreadLocal<Boolean> BUSY = new ThreadLocal<>();

    private MirrorBridge() {
    }

    public static synchronized void install(int slot, MirrorHooks hooks) {
        HOOKS[slot] = hooks;
    }

    /** Marks the current thread as doing agent work (restore or lookup); returns the previous state. */
    public static boolean enterAgentWork() {
        boolean was = BUSY.get() != null;
        if (!was) {
            BUSY.set(Boolean.TRUE);
        }
        return was;
    }

    public static void exitAgentWork(boolean previous) {
        if (!previous) {
            BUSY.remove();
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
     * session in the middle of a request (Undertow: the exchange and session config); {@code id} may be
     * null when the adapter reads it from {@code request}.
     */
    public static Object sessionNotFound(int slot, Object manager, String id, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get() != null) {
            return null;
        }
        try {
            return h.sessionNotFound(manager, id, request);
        } catch (Throwable t) {
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
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    public static void attributeWritten(int slot, Object session, String name) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get() != null) {
            return;
        }
        try {
            h.attributeWritten(session, name);
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    public static void attributeRead(int slot, Object session, Object value) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || value == null) {
            return;
        }
        try {
            h.attributeRead(session, value);
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    /** A request enters the web app (before any session lookup). */
    public static void requestStarting(int slot, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null) {
            return;
        }
        try {
            h.requestStarting(request);
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    /**
     * A manager found a local session; returns the session to use: the same one, refreshed if a newer version
     * was stored elsewhere (non-sticky mode), or null when it was discarded.
     */
    public static Object sessionFound(int slot, Object manager, Object session, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get() != null) {
            return session;
        }
        try {
            return h.sessionFound(manager, session, request);
        } catch (Throwable t) {
            return session;
        }
    }

    /** A session was created for the request on this thread (Jetty: no lookup precedes it). */
    public static void sessionCreated(int slot, Object session) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get() != null) {
            return;
        }
        try {
            h.sessionCreated(session);
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    public static void requestCompleting(int slot, Object request) {
        MirrorHooks h = HOOKS[slot];
        if (h == null) {
            return;
        }
        try {
            h.requestCompleting(request);
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    public static void sessionReleased(int slot, Object session) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get() != null) {
            return;
        }
        try {
            h.sessionReleased(session);
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    public static void sessionDestroyed(int slot, Object session) {
        sessionDestroyed(slot, session, null);
    }

    /** {@code reason}: the server's own account of why, where it gives one (Undertow), else null. */
    public static void sessionDestroyed(int slot, Object session, Object reason) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get() != null) {
            return;
        }
        try {
            h.sessionDestroyed(session, reason);
        } catch (Throwable ignored) {
            // never break the application
        }
    }

    public static void sessionIdChanged(int slot, Object session, String oldId) {
        MirrorHooks h = HOOKS[slot];
        if (h == null || BUSY.get() != null) {
            return;
        }
        try {
            h.sessionIdChanged(session, oldId);
        } catch (Throwable ignored) {
            // never break the application
        }
    }
}
