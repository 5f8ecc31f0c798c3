package io.sessionmirror.agent.core;

import io.sessionmirror.agent.support.WeakIdentityTable;
import java.util.function.BiConsumer;

/**
 * What the agent knows about each live session, in a weak side table (never in the session: a session's
 * class keeps its shape). The one place a {@link SessionState} is created, always with its web app.
 */
final class SessionStates {

    private final WeakIdentityTable<Object, SessionState> table = new WeakIdentityTable<>();
    /** Told of each session's first state, with its web app: what the log says is mirrored. */
    private final BiConsumer<WebApp, Object> firstSeen;

    SessionStates() {
        this((app, session) -> { });
    }

    SessionStates(BiConsumer<WebApp, Object> firstSeen) {
        this.firstSeen = firstSeen;
    }

    /** The state of a session the agent has seen, or null. */
    SessionState get(Object session) {
        return table.get(session);
    }

    /** The state of {@code session} of {@code app}, created the first time the session is seen. */
    SessionState of(Object session, WebApp app) {
        SessionState state = table.computeIfAbsent(session, s -> new SessionState());
        if (state.app == null) {
            firstSeen.accept(app, session);
        }
        state.app = app;
        return state;
    }

    /** Forgets a session (it ended, or a newer copy replaces it); returns what was known, or null. */
    SessionState remove(Object session) {
        return table.remove(session);
    }

    /**
     * The state kept for {@code from} now belongs to {@code to} (a server that wraps restored content in its
     * own session object, Undertow); returns it, or null when nothing was kept for {@code from}.
     */
    SessionState move(Object from, Object to) {
        SessionState state = table.remove(from);
        if (state != null) {
            table.put(to, state);
        }
        return state;
    }

    /** Sessions of the web app with key namespace {@code namespace} tracked here and not ended: for the report. */
    int live(String namespace) {
        int[] n = {0};
        table.forEach((session, state) -> {
            WebApp app = state.app;
            if (app != null && state.writable() && app.namespace().equals(namespace)) {
                n[0]++;
            }
        });
        return n[0];
    }

    void forEach(BiConsumer<Object, SessionState> action) {
        table.forEach(action);
    }
}
