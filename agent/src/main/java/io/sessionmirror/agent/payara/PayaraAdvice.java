package io.sessionmirror.agent.payara;

import io.sessionmirror.bootstrap.MirrorBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice inlined into the classes of Payara's Catalina fork (web-core.jar). Like the Tomcat family's, it refers
 * to nothing but the bootstrap bridge and JDK types, adds no fields or methods, and suppresses every Throwable.
 * Where the fork kept Tomcat's method the hook is Tomcat's; where it did not, the hook is the fork's own:
 * {@code setAttribute(String, Object)}, {@code removeAttribute(String, boolean, boolean)},
 * {@code expire(boolean, boolean)}, {@code setId(String)}, and the connector's {@code CoyoteAdapter.doService}
 * for the request (the fork's valves run through {@code int invoke} and {@code postInvoke} instead).
 * <p>
 * The bridge's {@code request} argument: the connector's {@code org.apache.catalina.connector.Request} for
 * {@code requestStarting}/{@code requestCompleting} ({@link DoService}); the lookups pass none (null).
 */
final class PayaraAdvice {

    /** The bridge slot of the Payara family; a compile-time constant, inlined into the advice. */
    static final int SLOT = 3;

    /** The manager class whose {@code findSession} asks a Store after the in-memory map: hooked on its own. */
    static final String STORE_MANAGER = "org.apache.catalina.session.PersistentManagerBase";

    private PayaraAdvice() {
    }

    /**
     * {@code ManagerBase.findSession(String)}, which the fork's {@code findSession(String, HttpServletRequest)}
     * and {@code findSession(String, String)} call: a null result means "ask Memcached". A
     * {@code PersistentManagerBase} asks its Store after this: Memcached is asked after that, by
     * {@link FindSessionAfterStore}.
     */
    static final class FindSession {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object manager, @Advice.Argument(0) String id,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object session) {
            for (Class<?> c = manager.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals(STORE_MANAGER)) {
                    return;
                }
            }
            if (session == null) {
                session = MirrorBridge.sessionNotFound(SLOT, manager, id);
            } else {
                session = MirrorBridge.sessionFound(SLOT, manager, session, null);
            }
        }
    }

    /** {@code PersistentManagerBase.findSession(String)}: memory, then the Store, then Memcached. */
    static final class FindSessionAfterStore {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object manager, @Advice.Argument(0) String id,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object session) {
            if (session == null) {
                session = MirrorBridge.sessionNotFound(SLOT, manager, id);
            } else {
                session = MirrorBridge.sessionFound(SLOT, manager, session, null);
            }
        }
    }

    /**
     * {@code StandardSession.setAttribute(String, Object)} and {@code removeAttribute(String, boolean, boolean)}:
     * every set and remove goes through one of them (a set to null removes).
     */
    static final class AttributeWritten {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) String name) {
            MirrorBridge.attributeWritten(SLOT, session, name);
        }
    }

    /** {@code StandardSession.getAttribute(String)}: a mutable value handed out may be changed in place. */
    static final class GetAttribute {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) String name,
                         @Advice.Return Object value) {
            if (value != null) {
                MirrorBridge.attributeRead(SLOT, session, name, value);
            }
        }
    }

    /** {@code StandardSession.access()}: the request's session lookup; paired with {@code endAccess()} in recycle. */
    static final class Access {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session) {
            MirrorBridge.sessionAcquired(SLOT, session, null);
        }
    }

    /** {@code StandardSession.endAccess()}: the request is done with the session (after the response). */
    static final class EndAccess {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session) {
            MirrorBridge.sessionReleased(SLOT, session);
        }
    }

    /** {@code StandardSession.expire(boolean, boolean)}, which {@code expire()} and {@code expire(boolean)} call. */
    static final class Expire {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object session) {
            MirrorBridge.sessionDestroyed(SLOT, session);
        }
    }

    /**
     * {@code StandardSession.setId(String)}: a changed id (login, {@code changeSessionId}) moves the stored copy;
     * a new session's first id (none before) is no change.
     */
    static final class SetId {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static String enter(@Advice.FieldValue("id") String oldId) {
            return oldId;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Enter String oldId, @Advice.Argument(0) String newId) {
            if (oldId != null && newId != null && !oldId.equals(newId)) {
                MirrorBridge.sessionIdChanged(SLOT, session, oldId);
            }
        }
    }

    /**
     * {@code CoyoteAdapter.doService(..., Request, ..., Response, boolean)}: the request's whole way through the
     * container. At its exit the application has run and the response is not complete yet (Grizzly finishes it
     * after {@code service} returns): the point where {@code write=sync} writes.
     */
    static final class DoService {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(1) Object request) {
            MirrorBridge.requestStarting(SLOT, request);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Argument(1) Object request) {
            MirrorBridge.requestCompleting(SLOT, request);
        }
    }
}
