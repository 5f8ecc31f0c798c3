package io.sessionmirror.agent.core;

import io.sessionmirror.agent.store.StoreException;

/** Extends a stored copy's expiry (the session was only read); never replaces a pending write or end. */
final class TouchTask extends WriteBehindQueue.Task {

    private final MirrorServices services;
    private final TroubleReports reports;
    private final int expiry;
    private final SessionState state;

    TouchTask(MirrorServices services, TroubleReports reports, String key, int expiry, SessionState state) {
        super(key);
        this.services = services;
        this.reports = reports;
        this.expiry = expiry;
        this.state = state;
    }

    @Override
    protected boolean supersedes(WriteBehindQueue.Task older) {
        return older instanceof TouchTask; // never replaces a pending write or delete
    }

    @Override
    protected void run() throws StoreException {
        if (services.store.touch(key, expiry)) {
            reports.of(state.app).touches.increment();
        } else {
            state.lastHash = 0; // the stored copy is gone (e.g. Memcached restarted): rewrite it
        }
    }

    @Override
    protected void failed(String why) {
        state.lastRefresh = 0;
        reports.storeTrouble(state.app, "could not refresh a session's expiry", new StoreException(why));
    }
}
