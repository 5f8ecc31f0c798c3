package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.Encoded;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.bootstrap.MirrorBridge;
import java.util.ConcurrentModificationException;
import java.util.concurrent.TimeUnit;

/**
 * write=async: sessions are snapshotted, checked and serialized on the writer thread, not on request threads.
 *
 * <p>A request thread that ends its use of a session that may have changed (an attribute set, or a mutable one
 * read) queues one {@link SnapshotTask} for it, unless one is queued already: a flag test, and an allocation
 * only when a task is made. The writer thread then, under the session's state lock:
 * <ol>
 *   <li>waits until no request uses the session ({@link SessionState#uses}, or the server's own count): what it
 *       serializes is then what the last request left, never half of a change. A request's end of use makes
 *       a waiting snapshot due at once; a session used without pause for {@value #BUSY_LIMIT_MILLIS} ms is
 *       snapshotted anyway (counted: {@code busy_snapshots});</li>
 *   <li>takes the change flags, snapshots and encodes; the encoder stops at the change hash when nothing changed
 *       (a session only read costs one serialization per {@code write.interval}, whatever its request rate);</li>
 *   <li>throws the snapshot away and waits again when a request started using the session meanwhile (its
 *       generation moved, or a change flag was set again: {@code retaken_snapshots});</li>
 *   <li>starts the write, pipelined with the batch's others, under the key of the session's id now.</li>
 * </ol>
 * A session snapshotted less than {@code write.interval} ago waits for the rest of it: a hot session (AJAX,
 * polling) is written at most once per interval, with everything its requests did meanwhile.
 */
final class BackgroundSnapshots {

    static final long BUSY_LIMIT_MILLIS = 1000;
    private static final long BUSY_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(BUSY_LIMIT_MILLIS);
    /** How soon a snapshot put back for a request in progress is looked at again if no end of use wakes it. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final SessionWriter writer;
    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final TroubleReports reports;

    BackgroundSnapshots(SessionWriter writer, ContainerAdapter adapter, MirrorServices services, TroubleReports reports) {
        this.writer = writer;
        this.adapter = adapter;
        this.services = services;
        this.reports = reports;
    }

    // ---------------------------------------------------------------- request threads

    /** A request ended its use of a session that may have changed: a snapshot is queued, or the queued one woken. */
    void queue(Object session, SessionState state, WebApp app) {
        SnapshotTask queued = state.queued();
        if (queued != null) {
            wakeIfFree(session, state, queued);
            return;
        }
        String id = adapter.sessionId(session);
        if (id == null) {
            return;
        }
        long now = System.nanoTime();
        long last = state.lastSnapshotNanos;
        long due = last == 0 ? 0 : last + services.writeIntervalNanos();
        SnapshotTask task = new SnapshotTask(this, services.keys.key(app.namespace(), id), session, state, app, now,
                due - now > 0 ? due : 0);
        if (!state.claimQueued(task)) {
            return; // another request's end queued one meanwhile; it carries this change too
        }
        if (!services.queue.submit(task)) {
            state.releaseQueued(task);
            writer.notQueued(state, app);
        }
    }

    /** The snapshot waits for requests using the session; if none does any more, it is due now. */
    private void wakeIfFree(Object session, SessionState state, SnapshotTask task) {
        if (task.waitsForRelease && !inUse(session, state)) {
            task.waitsForRelease = false;
            task.notBefore = 0;
            services.queue.wake(task);
        }
    }

    private boolean inUse(Object session, SessionState state) {
        int counted = adapter.requestsUsing(session);
        return (counted >= 0 ? counted : state.uses()) > 0;
    }

    // ---------------------------------------------------------------- the writer thread

    /** Snapshots and starts writing the task's session; returns the pending write, or null (nothing to write now). */
    Object snapshot(SnapshotTask task) {
        boolean wasBusy = MirrorBridge.enterAgentWork(); // reads made by the snapshot are not the application's
        try {
            return snapshotNow(task);
        } finally {
            MirrorBridge.exitAgentWork(wasBusy);
        }
    }

    private Object snapshotNow(SnapshotTask task) {
        SessionState state = task.state;
        Object session = task.session;
        WebApp app = task.app;
        long now = System.nanoTime();
        synchronized (state) {
            if (!state.writable()) {
                state.releaseQueued(task);
                return null; // invalidated, timed out (its tombstone is on its way), torn down by a stop
            }
            String id = adapter.sessionId(session);
            if (id == null) {
                state.releaseQueued(task);
                return null;
            }
            String key = services.keys.key(app.namespace(), id);
            if (!key.equals(task.key)) {
                // The id changed since it was queued (a login): queued again under the new key, so that its writes
                // keep their order with the others of that key. Before the in-use check: put back under the old key,
                // it would wait behind that key's tombstone.
                state.releaseQueued(task);
                queue(session, state, app);
                return null;
            }
            boolean overdue = task.busySince != 0 && now - task.busySince > BUSY_LIMIT_NANOS;
            if (!overdue && inUse(session, state)) {
                return putBack(task, now);
            }
            state.releaseQueued(task); // from here on an end of use queues a new snapshot, which sees what follows
            int generation = state.generation;
            boolean changed = state.takeChanged();
            boolean mutableRead = state.takeMutableRead();
            String readName = mutableRead ? state.takeReadName() : null;
            String onlyRead = changed ? null : readName;
            // A write of it this task replaced in the queue was never stored: the last hash is not what Memcached has.
            long lastHash = task.replacedWrite ? 0 : state.lastHash;
            if (!changed && !mutableRead && lastHash != 0) {
                return null;
            }
            SessionData data;
            Encoded encoded;
            try {
                data = adapter.snapshot(session);
                if (data == null) {
                    return null; // invalidated meanwhile
                }
                if (onlyRead != null && lastHash != 0 && writer.readUnchanged(data, state, app, onlyRead)) {
                    reports.of(app).unchanged.increment(); // the one attribute read is as last written
                    state.lastSnapshotNanos = now;
                    writer.touchIfDue(session, state, app);
                    return null;
                }
                encoded = writer.encode(data, state, app, key, lastHash);
            } catch (ConcurrentModificationException e) {
                state.markChanged(); // the application changed it while it was serialized
                return retake(task, now);
            } catch (RuntimeException | LinkageError e) {
                reports.unserializable(app, id, e);
                return null;
            }
            if (encoded == null) {
                return null; // reported
            }
            if (!state.writable()) {
                return null; // ended while it was serialized: its tombstone is queued, nothing of it may follow
            }
            if (!overdue && (state.generation != generation || state.flagsSet()
                    || inUse(session, state))) {
                // A request used the session while it was serialized: the snapshot may hold half of its change.
                if (changed) {
                    state.markChanged();
                }
                if (mutableRead) {
                    state.markMutableRead(readName);
                }
                return retake(task, now);
            }
            if (overdue) {
                reports.of(app).busySnapshots.increment();
            }
            state.lastSnapshotNanos = now;
            if (!writer.worthWriting(session, state, app, key, data, encoded, lastHash)) {
                return null;
            }
            state.lastHash = encoded.hash;
            state.knownWriteId = encoded.writeId;
            state.lineage = encoded.lineage;
            state.header = SessionWriter.headerOf(data);
            state.version = encoded.version;
            state.lastRefresh = System.currentTimeMillis();
            task.version = encoded.version;
            task.length = encoded.payload.length;
            task.started = System.nanoTime();
            return services.store.startSet(key, encoded.payload, ExpiryPolicy.expirySeconds(data.maxInactiveSeconds()));
        }
    }

    /** A request uses the session: the task waits until its end of use (or {@link #RECHECK_NANOS}). */
    private Object putBack(SnapshotTask task, long now) {
        if (task.busySince == 0) {
            task.busySince = now;
        }
        task.waitsForRelease = true;
        task.notBefore = now + RECHECK_NANOS;
        if (!services.queue.submit(task)) {
            task.state.releaseQueued(task);
            writer.notQueued(task.state, task.app);
            return null;
        }
        // The request may have ended between the check and the flag: then no end of use wakes the task.
        wakeIfFree(task.session, task.state, task);
        return null;
    }

    /** The snapshot was thrown away: taken again once the request that used the session meanwhile is done. */
    private Object retake(SnapshotTask task, long now) {
        reports.of(task.app).retakenSnapshots.increment();
        if (!task.state.claimQueued(task)) {
            return null; // that request's end queued a new one already
        }
        return putBack(task, now);
    }

    // ---------------------------------------------------------------- outcomes

    void stored(SnapshotTask task) {
        long now = System.nanoTime();
        writer.wrote(task.app, task.length, now - task.started);
        reports.of(task.app).writeDelayNanos.record(now - task.queuedAt);
    }

    void failed(SnapshotTask task, String why) {
        if (task.started == 0) {
            // Before its write started: the agent's look at the session failed (the server's structures), not the store.
            reports.of(task.app).failures.increment();
            reports.warnRarely("Session Mirror could not snapshot a session of " + task.app + " (" + why
                    + "); it is written at its next change");
            return;
        }
        reports.storeTrouble(task.app, "could not write a session of " + task.app, new StoreException(why));
    }

    void forget(SnapshotTask task) {
        task.state.releaseQueued(task);
    }

    void merged(SnapshotTask task) {
        writer.merged(task.state, task.app, task.key);
    }

    void refused(SnapshotTask task) {
        writer.refused(task.state, task.app, task.key);
    }
}
