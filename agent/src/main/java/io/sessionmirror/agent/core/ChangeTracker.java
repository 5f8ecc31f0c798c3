package io.sessionmirror.agent.core;

/**
 * What changed in a session since it was last snapshotted: an attribute set or removed, or a mutable value
 * handed to the application (which may change it in place). Setting a flag is all a request thread does here:
 * no allocation, no serialization (the writer thread checks, see {@link SessionWriter}).
 */
final class ChangeTracker {

    private final SessionStates states;
    /**
     * write=sync only: the session whose mutable attribute this thread's request read. Its snapshot is taken at
     * the request's own end, while other requests on the session (AJAX) may still run: request Z's end clears the
     * shared flag and snapshots, then request Y, which read the value before, changes it in place. Y's own end
     * still knows it read, from here. (write=async snapshots only once no request uses the session, and never
     * needs it.) One slot per thread, reused: nothing is allocated per request. Slot 0: the session; slot 1: the
     * name of the attribute read, or {@link SessionState#SEVERAL}.
     */
    private final ThreadLocal<Object[]> readHere;

    ChangeTracker(SessionStates states, boolean snapshotsAtRequestEnd) {
        this.states = states;
        this.readHere = snapshotsAtRequestEnd ? ThreadLocal.withInitial(() -> new Object[2]) : null;
    }

    void attributeWritten(Object session) {
        SessionState state = states.get(session);
        if (state != null) {
            state.markChanged();
        }
        // No state yet: the session was never written, so its first end of request writes it anyway.
    }

    void attributeRead(Object session, Object value) {
        attributeRead(session, null, value);
    }

    /** The attribute {@code name} (null: not known) was read: only a mutable value counts as a possible change. */
    void attributeRead(Object session, String name, Object value) {
        if (Immutables.is(value)) {
            return;
        }
        SessionState state = states.get(session);
        if (state != null) {
            state.markMutableRead(name);
        }
        if (readHere != null) {
            Object[] slot = readHere.get();
            if (slot[0] != session) {
                slot[0] = session;
                slot[1] = name == null ? SessionState.SEVERAL : name;
            } else if (slot[1] != SessionState.SEVERAL && (name == null || !name.equals(slot[1]))) {
                slot[1] = SessionState.SEVERAL;
            }
        }
    }

    /**
     * What this thread's request read of {@code session}'s mutable values (forgotten once asked): null for
     * nothing, the attribute's name when it read one, {@link SessionState#SEVERAL} when more.
     */
    String readHere(Object session) {
        if (readHere == null) {
            return null;
        }
        Object[] slot = readHere.get();
        if (slot[0] == session) {
            slot[0] = null;
            return (String) slot[1];
        }
        return null;
    }

    /**
     * The one attribute a snapshot has to check when the only change since the last is reads of mutable values
     * ({@code fromState}: {@link SessionState#takeReadName}'s answer, when its flag was set; {@code fromThread}:
     * {@link #readHere}'s), or null when it must check them all.
     */
    static String onlyRead(boolean flagged, String fromState, String fromThread) {
        String name = flagged ? fromState : fromThread;
        if (name == null || name == SessionState.SEVERAL) {
            return null;
        }
        if (flagged && fromThread != null && !name.equals(fromThread)) {
            return null;
        }
        return name;
    }
}
