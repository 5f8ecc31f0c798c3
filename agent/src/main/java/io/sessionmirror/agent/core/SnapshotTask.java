package io.sessionmirror.agent.core;

import io.sessionmirror.agent.store.PendingWrite;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.store.WriteResult;

/**
 * write=async: a session that may have changed, to be snapshotted, checked and written on the writer thread
 * ({@link BackgroundSnapshots#snapshot}). A request thread only queues it (at most one per session at a time, see
 * {@link SessionState#claimQueued}); the snapshot is taken once no request uses the session, at most once per
 * {@code write.interval}, so a session read or changed by thousands of requests a second is serialized a few
 * times a second, and always with what its last request left.
 */
final class SnapshotTask extends WriteBehindQueue.Task {

    final BackgroundSnapshots snapshots;
    final Object session;
    final SessionState state;
    final WebApp app;
    /** When the first change it carries was queued ({@link System#nanoTime}): the start of its loss window. */
    final long queuedAt;
    /** When the writer first found the session in use (0: not yet): past {@link BackgroundSnapshots#BUSY_LIMIT_MILLIS}, it stops waiting. */
    long busySince;
    /** The writer put it back because a request used the session: the end of that use makes it due at once. */
    volatile boolean waitsForRelease;
    /** What {@link #begin} wrote: its version and length, for {@link #complete}. */
    long version;
    int length;
    long started;

    SnapshotTask(BackgroundSnapshots snapshots, String key, Object session, SessionState state, WebApp app, long queuedAt,
                 long notBefore) {
        super(key);
        this.snapshots = snapshots;
        this.session = session;
        this.state = state;
        this.app = app;
        this.queuedAt = queuedAt;
        this.notBefore = notBefore;
    }

    /** It replaced a queued write whose value was never stored: it writes even if nothing changed since. */
    volatile boolean replacedWrite;

    @Override
    protected boolean supersedes(WriteBehindQueue.Task older) {
        if (older instanceof TombstoneTask) {
            return false; // nothing of an ended session is written after its end
        }
        if (older instanceof WriteTask || older instanceof RetryTask) {
            replacedWrite = true;
        }
        return true;
    }

    @Override
    protected void run() throws StoreException {
        complete(begin());
    }

    @Override
    protected Object begin() {
        return snapshots.snapshot(this);
    }

    @Override
    protected void advance(Object begun) {
        if (begun != null) {
            ((PendingWrite) begun).advance();
        }
    }

    @Override
    protected void complete(Object begun) throws StoreException {
        if (begun == null) {
            return; // nothing to write: unchanged, ended, or put back until the session is free
        }
        WriteResult result = ((PendingWrite) begun).await();
        if (result == WriteResult.REFUSED) {
            snapshots.refused(this);
            return;
        }
        state.storedVersion = Math.max(state.storedVersion, version);
        snapshots.stored(this);
        if (result == WriteResult.MERGED) {
            snapshots.merged(this);
        }
    }

    @Override
    protected void failed(String why) {
        state.lastHash = 0; // written again at the session's next request
        snapshots.forget(this); // (if it failed before it let go of the session, its next end of use must queue anew)
        snapshots.failed(this, why);
    }

    @Override
    protected void dropped() {
        // A newer write of the key replaced it, or it was not queued behind the key's tombstone: the next end of
        // use may queue another (under the session's id then).
        snapshots.forget(this);
    }
}
