package io.sessionmirror.it.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Injects faults at random moments from its own seeded stream, one at a time, while users run schedules:
 * kill -9 of a server, SIGTERM of a server (Tomcat persists its sessions to SESSIONS.ser and reads them back
 * when it restarts in the same directory), and kill of a memcached node that comes back empty. The fault
 * model keeps one server up at all times and at most one memcached node down or freshly emptied within
 * {@link #NODE_QUIET_MS} (with {@code replicas=1} two lost nodes may lose a session legitimately).
 */
final class FaultInjector implements Runnable {

    static final long NODE_QUIET_MS = 10_000;

    /** A fault, at {@code System.nanoTime()} {@code at}. */
    static final class Fault {
        private final long at;
        private final String what;

        Fault(long at, String what) {
            this.at = at;
            this.what = what;
        }

        long at() {
            return at;
        }

        String what() {
            return what;
        }

    }

    private final Cluster cluster;
    private final SplittableRandom random;
    private final int maxGapMs;
    private final List<Fault> log = new ArrayList<>();
    private volatile boolean stopped;
    /** Opened by {@link #stop}: ends the plan's pause at once. */
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile Throwable failure;
    private long lastNodeFault;

    FaultInjector(Cluster cluster, long runSeed, int maxGapMs) {
        this.cluster = cluster;
        this.random = new SplittableRandom(runSeed ^ 0x5DEECE66DL);
        this.maxGapMs = maxGapMs;
    }

    void stop() {
        stopped = true;
        stop.countDown();
    }

    Throwable failure() {
        return failure;
    }

    synchronized List<Fault> log() {
        return new ArrayList<>(log);
    }

    /** The faults between two times, for a violation's report. */
    synchronized List<Fault> between(long from, long to) {
        List<Fault> in = new ArrayList<>();
        for (Fault f : log) {
            if (f.at >= from && f.at <= to) {
                in.add(f);
            }
        }
        return in;
    }

    private synchronized void record(String what) {
        log.add(new Fault(System.nanoTime(), what));
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                pause(500 + random.nextInt(Math.max(1, maxGapMs)));
                if (stopped) {
                    return;
                }
                int kind = random.nextInt(100);
                if (kind < 30) {
                    serverDown(false);
                } else if (kind < 80) {
                    serverDown(true);
                } else if (cluster.nodes.size() > 1
                        && System.nanoTime() - lastNodeFault > NODE_QUIET_MS * 1_000_000) {
                    nodeDown();
                } else {
                    serverDown(random.nextBoolean());
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** One server down (the other is up), and after a moment started again in its own directory. */
    private void serverDown(boolean graceful) throws Exception {
        ServerNode s = cluster.servers.get(random.nextInt(cluster.servers.size()));
        int downMs = random.nextInt(3000);
        record((graceful ? "SIGTERM " : "kill -9 ") + "server " + s.name());
        s.takeDown(graceful);
        boolean persisted = s.hasPersistedSessions();
        record("server " + s.name() + " is down" + (persisted ? " (SESSIONS.ser written)" : ""));
        pause(downMs);
        s.start();
        record("server " + s.name() + " restarted and ready" + (persisted ? " (read its SESSIONS.ser)" : ""));
    }

    /** A memcached node killed, and after a moment started again empty on the same port. */
    private void nodeDown() throws Exception {
        MemcachedNode n = cluster.nodes.get(random.nextInt(cluster.nodes.size()));
        record("kill -9 memcached " + n.address());
        n.kill();
        pause(random.nextInt(3000));
        n.start();
        lastNodeFault = System.nanoTime();
        record("memcached " + n.address() + " restarted empty");
    }

    /** The fault plan's own timing: how long the system runs before the next fault, or stays down. */
    private void pause(long ms) throws InterruptedException {
        stop.await(ms, java.util.concurrent.TimeUnit.MILLISECONDS); // the plan's time, cut short by stop()
    }
}
