package io.sessionmirror.agent.core;

import java.util.ArrayList;
import java.util.List;

/** What the agent tracks about the request a thread is running: the session locks it holds, what it checked. */
final class RequestScope {

    Object request;
    final SessionLocks.Held locks = new SessionLocks.Held();
    private final List<Object> checked = new ArrayList<>(1);

    /** Whether this request looks at {@code session} for the first time (it is remembered as seen). */
    boolean firstLook(Object session) {
        if (has(session)) {
            return false;
        }
        checked.add(session);
        return true;
    }

    boolean has(Object session) {
        for (int i = 0; i < checked.size(); i++) { // indexed: no iterator on the request path
            if (checked.get(i) == session) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        request = null;
        locks.clear();
        checked.clear();
    }
}
