package io.sessionmirror.agent.core;

import io.sessionmirror.agent.store.PendingWrite;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.store.WriteResult;

/** A queued write of one session's snapshot (write=async); a newer one of the same key replaces it while it waits. */
final class WriteTask extends WriteBehindQueue.Task {

    private final SessionWriter writer;
    private final MirrorServices services;
    private final TroubleReports reports;
    private final byte[] payload;
    private final int expiry;
    private final SessionState state;
    private final WebApp app;
    private final long version;
    private long started;

    WriteTask(SessionWriter writer, MirrorServices services, TroubleReports reports, String key, byte[] payload,
              int expiry, SessionState state, WebApp app, long version) {
        super(key);
        this.writer = writer;
        this.services = services;
        this.reports = reports;
        this.payload = payload;
        this.expiry = expiry;
        this.state = state;
        this.app = app;
        this.version = version;
    }

    @Override
    protected boolean supersedes(WriteBehindQueue.Task older) {
        return !(older instanceof TombstoneTask); // nothing of an ended session is written after its end
    }

    @Override
    protected void run() throws StoreException {
        complete(begin());
    }

    @Override
    protected Object begin() {
        started = System.nanoTime();
        return services.store.startSet(key, payload, expiry);
    }

    @Override
    protected void advance(Object begun) {
        ((PendingWrite) begun).advance();
    }

    @Override
    protected void complete(Object begun) throws StoreException {
        WriteResult result = ((PendingWrite) begun).await();
        if (result == WriteResult.REFUSED) {
            writer.refused(state, app, key);
            return;
        }
        state.storedVersion = Math.max(state.storedVersion, version);
        writer.wrote(app, payload.length, System.nanoTime() - started);
        if (result == WriteResult.MERGED) {
            writer.merged(state, app, key);
        }
    }

    @Override
    protected void failed(String why) {
        state.lastHash = 0; // written again at the session's next request
        reports.storeTrouble(app, "could not write a session of " + app, new StoreException(why));
    }
}
