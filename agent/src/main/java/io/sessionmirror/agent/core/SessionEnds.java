package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.core.ContainerAdapter.DestroyCause;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.bootstrap.MirrorBridge;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The ends of a session's life under one id: invalidated (logout), timed out, the server shutting down (the
 * stored copy is kept), or a new id (login). An end leaves a tombstone under the key (see
 * docs/failures.md, "One ordering per session"): it supersedes every pending write of the key, and until it
 * is stored no lookup on this server restores the copy it is about to end ({@link EndedKeys}).
 */
final class SessionEnds {

    private static final Logger LOG = AgentLog.get();

    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final SessionStates states;
    private final SessionWriter writer;
    private final EndedKeys ended;
    private final TroubleReports reports;

    SessionEnds(ContainerAdapter adapter, MirrorServices services, SessionStates states, SessionWriter writer,
                EndedKeys ended, TroubleReports reports) {
        this.adapter = adapter;
        this.services = services;
        this.states = states;
        this.writer = writer;
        this.ended = ended;
        this.reports = reports;
    }

    void destroyed(Object session, Object reason) {
        DestroyCause cause = adapter.destroyCause(session, reason);
        if (cause == DestroyCause.IGNORE) {
            return;
        }
        if (cause == DestroyCause.SHUTDOWN) {
            // Keeping the stored copy is the point: another server carries on with it. A request may still be
            // finishing with the session (a graceful stop lets it end while the manager stops): its last change
            // is written now, while the session is still valid, with the session's own version. The state stays
            // (the weak table lets it go with the session), so that request's end does not start a new lineage at
            // version 1 that Memcached would refuse.
            writePendingAtShutdown(session);
            return;
        }
        SessionState state = states.remove(session);
        if (state != null) {
            state.ended = true; // no write of it after this one
        }
        WebApp app = adapter.webAppOfSession(session);
        String id = adapter.sessionId(session);
        if (app == null || id == null) {
            return;
        }
        String key = services.keys.key(app.namespace(), id);
        int tombstoneSeconds = ExpiryPolicy.expirySeconds(adapter.maxInactiveSeconds(session));
        if (cause == DestroyCause.INVALIDATED) {
            end(app, key, tombstoneSeconds, services.syncWrites, null);
        } else {
            // Timed out here: ended only if no other server has written it since this one last saw it. A session
            // the agent never saw (loaded by the server from its own persistence, then expired) has no known write:
            // its stored copy ends if nobody has written it for the whole timeout either.
            long known = state == null ? 0 : state.knownWriteId;
            long idleMillis = adapter.maxInactiveSeconds(session) * 1000L;
            end(app, key, tombstoneSeconds, false, stored -> known != 0 ? SessionCodec.writeIdOf(stored) == known
                    : idleMillis > 0 && System.currentTimeMillis() - SessionCodec.writtenAtOf(stored) >= idleMillis);
        }
    }

    private void writePendingAtShutdown(Object session) {
        SessionState state = states.get(session);
        WebApp app = state == null ? null : state.app;
        if (app == null) {
            return;
        }
        boolean wasBusy = MirrorBridge.enterAgentWork();
        try {
            synchronized (state) {
                String id = adapter.sessionId(session);
                if (id != null && !state.ended
                        && (state.takeChanged() | state.takeMutableRead() || state.lastHash == 0)) {
                    writer.write(session, state, app, services.keys.key(app.namespace(), id), true);
                }
                // What the teardown does to it next (attributes removed) is not a change to keep.
                state.stopped = true;
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("Writing a session's last change at shutdown failed: {}", TroubleReports.describe(e));
        } finally {
            MirrorBridge.exitAgentWork(wasBusy);
        }
    }

    void idChanged(Object session, String oldId) {
        WebApp app = adapter.webAppOfSession(session);
        String newId = adapter.sessionId(session);
        if (app == null || newId == null || SessionKeys.stripRoute(oldId).equals(SessionKeys.stripRoute(newId))) {
            return; // only the route changed: same key
        }
        SessionState state = states.of(session, app);
        String oldKey = services.keys.key(app.namespace(), oldId);
        synchronized (state) {
            state.lastHash = 0;
            writer.write(session, state, app, services.keys.key(app.namespace(), newId), services.syncWrites);
            // Under the lock: an end of request waiting for it reads the new id, and a write of the old key that
            // is already queued or in flight is ended by the tombstone (it supersedes it, or refuses it in
            // Memcached). Fixation through the old id is closed on every server.
            end(app, oldKey, ExpiryPolicy.expirySeconds(adapter.maxInactiveSeconds(session)), services.syncWrites, null);
        }
    }

    /**
     * Ends a stored session: its tombstone goes to Memcached (inline, or queued ahead of nothing: it supersedes
     * every pending write of the key, and no later write replaces it). Until it is stored, the key is
     * remembered here so that no lookup on this server restores the copy the tombstone is about to end.
     */
    private void end(WebApp app, String key, int tombstoneSeconds, boolean inline, Predicate<byte[]> onlyIf) {
        Long stamp = ended.ending(key);
        if (inline) {
            try {
                services.store.tombstone(key, tombstoneSeconds);
                reports.of(app).deletes.increment();
                ended.stored(key, stamp);
            } catch (StoreException e) {
                reports.storeTrouble(app, "could not end an invalidated session", e);
            }
        } else {
            services.queue.submit(new TombstoneTask(services, reports, ended, key, tombstoneSeconds, app, onlyIf, stamp));
        }
    }
}
