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
     * needs it.) One slot per thread, reused: nothing is allocated per request.
     */
    private final ThreadLocal<Object[]> readHere;

    ChangeTracker(SessionStates states, boolean snapshotsAtRequestEnd) {
        this.states = states;
        this.readHere = snapshotsAtRequestEnd ? ThreadLocal.withInitial(() -> new Object[1]) : null;
    }

    void attributeWritten(Object session) {
        SessionState state = states.get(session);
        if (state != null) {
            state.markChanged();
        }
        // No state yet: the session was never written, so its first end of request writes it anyway.
    }

    void attributeRead(Object session, Object value) {
        if (Immutables.is(value)) {
            return;
        }
        SessionState state = states.get(session);
        if (state != null) {
            state.markMutableRead();
        }
        if (readHere != null) {
            readHere.get()[0] = session;
        }
    }

    /** Whether this thread's request read a mutable value of {@code session} (forgotten once asked). */
    boolean readHere(Object session) {
        if (readHere == null) {
            return false;
        }
        Object[] slot = readHere.get();
        if (slot[0] == session) {
            slot[0] = null;
            return true;
        }
        return false;
    }
}
