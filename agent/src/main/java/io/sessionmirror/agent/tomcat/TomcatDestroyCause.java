package io.sessionmirror.agent.tomcat;

import io.sessionmirror.agent.core.ContainerAdapter.DestroyCause;

/**
 * Why Tomcat (or a fork, through the adapter's hooks) is expiring a session: its first {@code expire()} only, of a
 * manager the adapter mirrors; timed out, the manager stopping (kept in the store), or invalidated.
 */
final class TomcatDestroyCause {

    private TomcatDestroyCause() {
    }

    static DestroyCause of(Object session, TomcatAdapter adapter) {
        TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
        if (s == null) {
            return DestroyCause.IGNORE;
        }
        try {
            if ((Boolean) s.expiring.get(session) || !(Boolean) s.isValid.get(session)) {
                return DestroyCause.IGNORE; // expire() runs more than once; act on the first
            }
            Object manager = s.manager.get(session);
            if (!adapter.supports(manager)) {
                return DestroyCause.IGNORE;
            }
            // Timed out first: StandardManager expires what it reloads from SESSIONS.ser timed out while the
            // manager is still starting, which is not a shutdown (the stored copy must not outlive it).
            int maxInactive = (Integer) adapter.call(session, "getMaxInactiveInterval");
            if (maxInactive > 0 && adapter.timedOut(session, maxInactive)) {
                return DestroyCause.TIMED_OUT;
            }
            if (adapter.stopping(manager)) {
                return DestroyCause.SHUTDOWN; // the manager is stopping: server or web app shutdown
            }
            return DestroyCause.INVALIDATED;
        } catch (ReflectiveOperationException e) {
            return DestroyCause.IGNORE;
        }
    }
}
