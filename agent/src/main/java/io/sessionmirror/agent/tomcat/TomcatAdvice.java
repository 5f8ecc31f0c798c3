package io.sessionmirror.agent.tomcat;

import io.sessionmirror.bootstrap.MirrorBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice inlined into Tomcat's classes. It refers to nothing but the bootstrap bridge and JDK types
 * (the only classes every Tomcat class loader can see), adds no fields or methods, and suppresses every
 * Throwable. The descriptors hooked contain no javax/jakarta types, so the same advice serves Tomcat
 * 9.0, 10.1 and 11.0.
 * <p>
 * The bridge's {@code request} argument (the contract of every family is in {@code MirrorBridge}'s javadoc):
 * Tomcat's connector {@code Request} for {@code requestStarting}/{@code requestCompleting}
 * ({@link HostValveInvoke}); the lookups pass none (null), the id is their argument.
 */
final class TomcatAdvice {

    /** The bridge slot of the Tomcat family; a compile-time constant, inlined into the advice. */
    static final int SLOT = 0;

    private TomcatAdvice() {
    }

    /** The manager class whose {@code findSession} asks a Store after the in-memory map: hooked on its own. */
    static final String STORE_MANAGER = "org.apache.catalina.session.PersistentManagerBase";

    /**
     * {@code ManagerBase.findSession(String)}: a null result means "ask Memcached"; a local session may be
     * replaced by a newer stored version (non-sticky mode). A {@code PersistentManagerBase} calls this as
     * {@code super.findSession} before its Store (and from {@code isLoaded}, on its background thread):
     * Memcached is asked only after the Store has answered, by {@link FindSessionAfterStore}.
     */
    static final class FindSession {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object manager, @Advice.Argument(0) String id,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object session) {
            // JDK types only in advice: the class chain is walked by name (a handful of levels).
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

    /**
     * {@code PersistentManagerBase.findSession(String)}: memory, then Tomcat's own Store ({@code swapIn}), then,
     * when both have nothing, Memcached. A session the Store held but found timed out has been expired by then
     * (the agent saw that expiry as a timeout), so it is not brought back from Memcached.
     */
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

    /** {@code StandardSession.setAttribute(String, Object, boolean)}: every set goes through it. */
    static final class SetAttribute {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) String name) {
            MirrorBridge.attributeWritten(SLOT, session, name);
        }
    }

    /** {@code StandardSession.removeAttributeInternal(String, boolean)}. */
    static final class RemoveAttribute {
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

    /**
     * {@code StandardSession.access()}: a request starts using the session (Tomcat pairs it with the
     * {@code endAccess()} of the request's recycling).
     */
    static final class Access {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session) {
            MirrorBridge.sessionAcquired(SLOT, session, null);
        }
    }

    /** {@code StandardSession.endAccess()}: a request is done with the session (after the response). */
    static final class EndAccess {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session) {
            MirrorBridge.sessionReleased(SLOT, session);
        }
    }

    /** {@code StandardSession.expire(boolean)}: invalidate, timeout, or shutdown. */
    static final class Expire {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object session) {
            MirrorBridge.sessionDestroyed(SLOT, session);
        }
    }

    /** {@code StandardSession.setId(String, boolean)}: a changed id moves the stored copy. */
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
     * {@code StandardHostValve.invoke(Request, Response)}: the application has run but the response is
     * not complete yet: the point where {@code write=sync} writes.
     */
    static final class HostValveInvoke {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object request) {
            MirrorBridge.requestStarting(SLOT, request);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object request) {
            MirrorBridge.requestCompleting(SLOT, request);
        }
    }
}
