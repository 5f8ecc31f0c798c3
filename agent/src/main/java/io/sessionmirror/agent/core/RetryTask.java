package io.sessionmirror.agent.core;

import io.sessionmirror.bootstrap.MirrorBridge;

/** A snapshot that kept failing with ConcurrentModificationException, taken again on the writer thread. */
final class RetryTask extends WriteBehindQueue.Task {

    private final SessionWriter writer;
    private final Object session;
    private final SessionState state;
    private final WebApp app;

    RetryTask(SessionWriter writer, String key, Object session, SessionState state, WebApp app) {
        super(key);
        this.writer = writer;
        this.session = session;
        this.state = state;
        this.app = app;
    }

    @Override
    protected boolean supersedes(WriteBehindQueue.Task older) {
        return older instanceof TouchTask || older instanceof RetryTask;
    }

    @Override
    protected void run() throws InterruptedException {
        Thread.sleep(5); // let the request that is changing it finish
        boolean wasBusy = MirrorBridge.enterAgentWork();
        try {
            synchronized (state) {
                if (state.takeChanged()) {
                    writer.write(session, state, app, key, true);
                }
            }
        } finally {
            MirrorBridge.exitAgentWork(wasBusy);
        }
    }

    @Override
    protected void failed(String why) {
        state.lastHash = 0;
    }
}
