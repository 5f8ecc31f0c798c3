package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.SessionData;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server family in a test: one web app, sessions as plain objects, and pause points that stop a chosen
 * thread at a chosen step of the core's work (after it read a session's id, after it took a snapshot), so a
 * test can force the interleavings that real servers produce only by chance.
 */
final class FakeContainer implements ContainerAdapter {

    static final WebApp APP = new WebApp(new SessionKeys("t").namespace(null, "/app"), "/app",
            FakeContainer.class.getClassLoader());

    /** A session: an id, attributes, valid until invalidated. */
    static final class Session {
        volatile String id;
        volatile boolean valid = true;
        final long created = System.currentTimeMillis();
        final Map<String, Object> attributes = new ConcurrentHashMap<>();

        Session(String id) {
            this.id = id;
        }
    }

    /** Where a thread can be held. */
    enum Step { READ_ID, SNAPSHOT }

    /**
     * Holds the next thread that reaches {@code step} (and is {@code who}; null: the write queue's thread, where
     * write=async takes its snapshots) until {@link #release}.
     */
    static final class Pause {
        final Step step;
        final Thread who;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Pause(Step step, Thread who) {
            this.step = step;
            this.who = who;
        }

        void awaitReached() throws InterruptedException {
            if (!reached.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the paused thread never reached " + step);
            }
        }
    }

    final Map<String, Session> local = new ConcurrentHashMap<>();
    /** Snapshots that fail as if the application changed the session while it was copied. */
    final java.util.concurrent.atomic.AtomicInteger concurrentChanges = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Pause pause;

    void pause(Pause p) {
        pause = p;
    }

    private void maybePause(Step step) {
        Pause p = pause;
        Thread me = Thread.currentThread();
        if (p != null && p.step == step && (p.who == null ? me.getName().equals("session-mirror-writer") : me == p.who)) {
            pause = null;
            p.reached.countDown();
            try {
                p.release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public WebApp webAppOfManager(Object manager) {
        return APP;
    }

    @Override
    public WebApp webAppOfSession(Object session) {
        return APP;
    }

    @Override
    public String sessionId(Object session) {
        String id = ((Session) session).id; // read first, then held: what a preempted thread would have
        maybePause(Step.READ_ID);
        return id;
    }

    @Override
    public int maxInactiveSeconds(Object session) {
        return 1800;
    }

    @Override
    public SessionData snapshot(Object session) {
        Session s = (Session) session;
        if (!s.valid) {
            return null;
        }
        if (concurrentChanges.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new java.util.ConcurrentModificationException("changed while copied");
        }
        SessionData data = new SessionData(s.id, s.created, 1800, null, null, new java.util.HashMap<>(s.attributes));
        maybePause(Step.SNAPSHOT);
        return data;
    }

    @Override
    public Object findLocal(Object manager, String id) {
        return local.get(id);
    }

    @Override
    public Object restore(Object manager, String id, SessionData data, Object request) {
        Session s = new Session(id);
        s.attributes.putAll(data.attributes());
        local.put(id, s);
        return s;
    }

    @Override
    public void discard(Object manager, Object session) {
        local.remove(((Session) session).id, session);
    }

    @Override
    public boolean refresh(Object session, SessionData data) {
        Session s = (Session) session;
        s.attributes.clear();
        s.attributes.putAll(data.attributes());
        return true;
    }

    @Override
    public Object sessionOfRequest(Object request) {
        return null;
    }

    @Override
    public DestroyCause destroyCause(Object session, Object reason) {
        return (DestroyCause) reason;
    }
}
