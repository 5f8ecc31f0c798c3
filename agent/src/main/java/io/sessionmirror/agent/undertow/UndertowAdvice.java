package io.sessionmirror.agent.undertow;

import io.sessionmirror.bootstrap.MirrorBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice inlined into Undertow's {@code InMemorySessionManager} and its {@code SessionImpl} (Undertow
 * core, so it serves plain Undertow, its servlet layer, WildFly's non-distributable web apps and Spring
 * Boot's embedded Undertow alike). Refers only to the bootstrap bridge and JDK types; adds no members;
 * suppresses every Throwable.
 * <p>
 * The bridge's {@code request} argument (the contract of every family is in {@code MirrorBridge}'s javadoc):
 * {@code sessionNotFound} gets {@code Object[] {HttpServerExchange, SessionConfig}} and a null id (the id is in
 * the exchange, and a restore needs both); {@code sessionFound} gets the same pair (the config tells a route
 * of another server in the cookie, and a stale copy's replacement is a restore) ({@link GetSession}); {@code requestCompleting} gets the servlet layer's {@code HttpServletResponseImpl}
 * ({@link ResponseDone}). {@code UndertowRequests} reads all three.
 */
final class UndertowAdvice {

    /** The bridge slot of the Undertow family. */
    static final int SLOT = 2;

    private UndertowAdvice() {
    }

    /**
     * {@code InMemorySessionManager.getSession(HttpServerExchange, SessionConfig)}: a null result for a
     * request that names a session means "ask Memcached". The adapter reads the id from the exchange. A
     * local session may be replaced by a newer stored version (non-sticky mode).
     */
    static final class GetSession {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object manager, @Advice.Argument(0) Object exchange, @Advice.Argument(1) Object config,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object session) {
            if (session == null && exchange != null && config != null) {
                session = MirrorBridge.sessionNotFound(SLOT, manager, null, new Object[] {exchange, config});
            } else if (session != null && exchange != null) {
                session = MirrorBridge.sessionFound(SLOT, manager, session, new Object[] {exchange, config});
            }
        }
    }

    /** {@code SessionImpl.setAttribute(String, Object)} and {@code removeAttribute(String)}. */
    static final class AttributeWritten {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) String name) {
            MirrorBridge.attributeWritten(SLOT, session, name);
        }
    }

    /** {@code SessionImpl.getAttribute(String)}: a mutable value handed out may be changed in place. */
    static final class AttributeRead {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) String name,
                         @Advice.Return Object value) {
            if (value != null) {
                MirrorBridge.attributeRead(SLOT, session, name, value);
            }
        }
    }

    /**
     * {@code SessionImpl.requestStarted(HttpServerExchange)}: a request starts using the session (the adapter tells
     * its first call per exchange from repeated lookups).
     */
    static final class RequestStarted {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object session, @Advice.Argument(0) Object exchange) {
            MirrorBridge.sessionAcquired(SLOT, session, exchange);
        }
    }

    /** {@code SessionImpl.requestDone(HttpServerExchange)}: the request is done with the session. */
    static final class RequestDone {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session) {
            MirrorBridge.sessionReleased(SLOT, session);
        }
    }

    /** {@code SessionImpl.invalidate(HttpServerExchange, SessionDestroyedReason)}: invalidate or timeout. */
    static final class Invalidate {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object session, @Advice.Argument(1) Object reason) {
            MirrorBridge.sessionDestroyed(SLOT, session, reason);
        }
    }

    /**
     * {@code InMemorySessionManager.stop()} (undeploy, server stop): Undertow then tears each session down without
     * invalidating it (its servlet layer removes the attributes). Before it does, each session is reported as
     * ended by a shutdown: its last change is written while it is whole, and nothing of it after.
     */
    static final class ManagerStop {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("sessions") java.util.Map<?, ?> sessions) {
            for (Object session : sessions.values()) {
                MirrorBridge.sessionDestroyed(SLOT, session, "UNDEPLOY");
            }
        }
    }

    /** {@code SessionImpl.changeSessionId(HttpServerExchange, SessionConfig)}. */
    static final class ChangeSessionId {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static String enter(@Advice.FieldValue("sessionId") String oldId) {
            return oldId;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Enter String oldId, @Advice.Return String newId) {
            if (oldId != null && newId != null && !oldId.equals(newId)) {
                MirrorBridge.sessionIdChanged(SLOT, session, oldId);
            }
        }
    }

    /**
     * {@code HttpServletResponseImpl.responseDone()}: the servlet has run, the response is not closed yet: where
     * {@code write=sync} (and non-sticky mode) writes, so the client's answer means the change is stored.
     * (Undertow's own {@code requestDone} comes after the response is closed.)
     */
    static final class ResponseDone {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object response) {
            MirrorBridge.requestCompleting(SLOT, response);
        }
    }
}
