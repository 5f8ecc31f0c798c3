package io.sessionmirror.agent.jetty;

import io.sessionmirror.bootstrap.MirrorBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice inlined into Jetty's session classes: {@code org.eclipse.jetty.server.session} (9.4, 10, 11)
 * and {@code org.eclipse.jetty.session} (12.x, shared by every EE environment). The hooked
 * descriptors contain no javax/jakarta types, so one set serves every line. Refers only to the
 * bootstrap bridge and JDK types; adds no members; suppresses every Throwable.
 * <p>
 * The bridge's {@code request} argument (the contract of every family is in {@code MirrorBridge}'s javadoc):
 * {@code sessionFound} gets the requested extended id, a String ({@link GetSessionByExtendedId}: Jetty parses
 * one per request, so it is the request's identity for the agent); {@code requestCompleting} gets the session
 * being committed ({@link Commit}); {@code sessionNotFound} gets none (null), the id is its argument.
 */
final class JettyAdvice {

    /** The bridge slot of the Jetty family. */
    static final int SLOT = 1;

    private JettyAdvice() {
    }

    /**
     * {@code AbstractSessionDataStore.load(String)}: the cache missed and the server's store has nothing: ask
     * Memcached. The adapter answers only for the default {@code NullSessionDataStore}; a file or database
     * store is the authority on its own sessions (see {@code JettyAdapter.webAppOfManager}).
     */
    static final class Load {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object store, @Advice.Argument(0) String id,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object data) {
            if (data == null) {
                data = MirrorBridge.sessionNotFound(SLOT, store, id);
            }
        }
    }

    /** {@code AbstractSessionCache.loadSession(String)}: the cache wrapped loaded data in a session. */
    static final class Loaded {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return Object session) {
            if (session != null) {
                MirrorBridge.sessionLoaded(SLOT, session);
            }
        }
    }

    /** {@code setAttribute(String, Object)} and {@code removeAttribute(String)} of the session. */
    static final class AttributeWritten {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) String name) {
            MirrorBridge.attributeWritten(SLOT, session, name);
        }
    }

    /** {@code getAttribute(String)}: a mutable value handed out may be changed in place. */
    static final class AttributeRead {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) String name,
                         @Advice.Return Object value) {
            if (value != null) {
                MirrorBridge.attributeRead(SLOT, session, name, value);
            }
        }
    }

    /** 9.4 to 11: {@code AbstractSessionCache.release(String, Session)}: a request is done with the session. */
    static final class ReleaseByIdAndSession {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(1) Object session) {
            MirrorBridge.sessionReleased(SLOT, session);
        }
    }

    /** 12.x: {@code AbstractSessionCache.release(ManagedSession)}. */
    static final class ReleaseSession {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object session) {
            MirrorBridge.sessionReleased(SLOT, session);
        }
    }

    /**
     * {@code AbstractSessionCache.add(String, session)}: a request created a session (Jetty calls it only from
     * 9.4 to 11 {@code SessionHandler.newHttpSession}, 12.x {@code AbstractSessionManager.newSession}). Such a
     * request made no lookup, so nothing else reports it before its session's release; from here on a
     * shutdown waits for it. Not reported when {@code add} throws: then the request has no session to release.
     */
    static final class SessionAdded {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(1) Object session) {
            if (session != null) {
                MirrorBridge.sessionCreated(SLOT, session);
            }
        }
    }

    /** The session's {@code finishInvalidate()}: invalidate, timeout, or invalidate-on-shutdown. */
    static final class FinishInvalidate {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object session) {
            MirrorBridge.sessionDestroyed(SLOT, session, null);
        }
    }

    /** {@code AbstractSessionCache.renewSessionId(oldId, newId, oldExtendedId, newExtendedId)}. */
    static final class RenewSessionId {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) String oldId, @Advice.Return Object session) {
            if (session != null && oldId != null) {
                MirrorBridge.sessionIdChanged(SLOT, session, oldId);
            }
        }
    }

    /**
     * The request's session lookup by extended id (with route): 9.4 to 11 {@code SessionHandler.getHttpSession(String)},
     * 12.x {@code AbstractSessionManager.getManagedSession(String)}. A session found here may be checked against
     * Memcached: in non-sticky mode always, in sticky mode when the request carried another server's route.
     */
    static final class GetSessionByExtendedId {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object handler, @Advice.Argument(0) String extendedId,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object session) {
            if (session != null && extendedId != null) {
                session = MirrorBridge.sessionFound(SLOT, handler, session, extendedId);
            }
        }
    }

    /**
     * {@code AbstractSessionCache.commit(session)}: Jetty is about to commit the response (its own hook for
     * flushing sessions before the client is answered). Where {@code write=sync} (and non-sticky mode) writes;
     * the release comes only after the response is complete.
     */
    static final class Commit {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object session) {
            if (session != null) {
                MirrorBridge.requestCompleting(SLOT, session);
            }
        }
    }
}
