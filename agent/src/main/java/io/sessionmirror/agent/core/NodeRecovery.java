package io.sessionmirror.agent.core;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.bootstrap.MirrorBridge;
import org.slf4j.Logger;

/**
 * Runs on the store's repair thread when a node answers again. Sessions whose last write failed (every
 * node was down, or the queue was full) are written now, without waiting for their next request. When
 * the node came back empty (restart, replacement, a new node), every session that belongs on it is
 * copied there from a replica, or written from this server's copy when no node has one any more.
 */
final class NodeRecovery {

    private static final Logger LOG = AgentLog.get();

    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final SessionStates states;
    private final SessionWriter writer;
    private final TroubleReports reports;

    NodeRecovery(ContainerAdapter adapter, MirrorServices services, SessionStates states, SessionWriter writer,
                 TroubleReports reports) {
        this.adapter = adapter;
        this.services = services;
        this.states = states;
        this.writer = writer;
        this.reports = reports;
    }

    void nodeRecovered(NodeAddress node, boolean emptied) {
        long t0 = System.nanoTime();
        int[] written = {0};
        int[] copied = {0};
        states.forEach((session, state) -> {
            WebApp app = state.app;
            String id = app == null ? null : adapter.sessionId(session);
            if (id == null) {
                return;
            }
            String key = services.keys.key(app.namespace(), id);
            boolean unwritten = state.lastHash == 0;
            if (!unwritten && !(emptied && services.store.belongsTo(key, node))) {
                return;
            }
            if (!unwritten) {
                // A replica that has it is copied over by the read. Non-sticky: Memcached is primary, a local
                // copy is never written back over what the cluster holds.
                if (services.store.repairKey(key) || services.nonSticky) {
                    copied[0]++;
                    return;
                }
            }
            boolean wasBusy = MirrorBridge.enterAgentWork();
            try {
                synchronized (state) {
                    state.lastHash = 0;
                    if (writer.write(session, state, app, key, true)) {
                        written[0]++;
                        reports.of(app).recoveryWrites.increment();
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("Rewriting a session after a Memcached recovery failed: {}", TroubleReports.describe(e));
            } finally {
                MirrorBridge.exitAgentWork(wasBusy);
            }
        });
        if (written[0] + copied[0] > 0) {
            LOG.info("{} {} is back{}: {} sessions written from this server, {} copied from replicas, in {} ms",
                    services.store.kind(), node, emptied ? " empty" : "", written[0], copied[0], (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
