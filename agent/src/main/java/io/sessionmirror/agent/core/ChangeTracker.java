package io.sessionmirror.agent.core;

import java.lang.ref.WeakReference;

/**
 * What changed in a session since it was last written: an attribute set or removed, or a mutable value
 * handed to the application (which may change it in place). The end of a request takes the flags.
 */
final class ChangeTracker {

    private final SessionStates states;
    /**
     * The session whose mutable attribute this thread's request read. The shared flag alone loses a change
     * when requests on one session overlap (AJAX): request Z's end clears it and snapshots, then request Y,
     * which read the value before, changes it in place. Y's own end still knows it read, from here.
     */
    private final ThreadLocal<WeakReference<Object>> readHere = new ThreadLocal<>();

    ChangeTracker(SessionStates states) {
        this.states = states;
    }

    void attributeWritten(Object session) {
        SessionState state = states.get(session);
        if (state != null) {
            state.changed.set(true);
        }
        // No state yet: the session was never written, so its first end of request writes it anyway.
    }

    void attributeRead(Object session, Object value) {
        if (Immutables.is(value)) {
            return;
        }
        SessionState state = states.get(session);
        if (state != null && !state.mutableRead.get()) {
            state.mutableRead.set(true);
        }
        WeakReference<Object> r = readHere.get();
        if (r == null || r.get() != session) {
            readHere.set(new WeakReference<>(session));
        }
    }

    /** Whether this thread's request read a mutable value of {@code session} (forgotten once asked). */
    boolean readHere(Object session) {
        WeakReference<Object> r = readHere.get();
        if (r != null && r.get() == session) {
            readHere.remove();
            return true;
        }
        return false;
    }
}
