package io.sessionmirror.agent.core;

import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.support.AgentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The session locks of non-sticky mode ({@code lock=...}): taken when a request first looks at a session, held
 * as a lease while the request runs, released when its write is stored.
 * <ul>
 *   <li><b>Take:</b> waits at most {@code lock.wait}, then (or when Memcached does not answer) the request goes
 *       on unlocked; both counted ({@code lockWaits}, {@code lockTimeouts}).</li>
 *   <li><b>Lease:</b> a lock lives {@code ttl} seconds in Memcached, so a server that dies holding one holds it at
 *       most that long. A daemon thread renews every lock still held about every ttl/3, so a request that runs
 *       longer keeps its lock. It stops renewing a lock when the request releases it, when the thread that took it
 *       has ended, or after {@link #MAX_HOLD_MILLIS}; the lock then expires by itself. A renewal that finds the
 *       lock is no longer ours (it expired, e.g. in a long GC pause, and another server took it) is counted
 *       ({@code lostLocks}) and logged once; the request goes on, unprotected.</li>
 *   <li><b>Release</b> and renewal change the lock only while it still holds our token (compare-and-swap, see
 *       {@link io.sessionmirror.agent.store.SessionStore#tryLock}): a lock that expired and was taken by another server is never ours to
 *       release.</li>
 * </ul>
 */
final class SessionLocks {

    private static final Logger LOG = AgentLog.get();
    /** Lock TTL in Memcached: a server that dies holding a lock holds it at most this long. */
    static final int LOCK_TTL_SECONDS = 10;
    /** Longest a lock is renewed for one request: a thread stuck in a request must not hold a session forever. */
    static final long MAX_HOLD_MILLIS = 10 * 60_000;

    /** The store calls the locks need (the {@link io.sessionmirror.agent.store.SessionStore} in production, a fake in unit tests). */
    interface Primitives {
        boolean tryLock(String key, String token, int ttlSeconds) throws StoreException;

        boolean renewLock(String key, String token, int ttlSeconds) throws StoreException;

        boolean unlock(String key, String token) throws StoreException;
    }

    /** One lock a request holds. */
    static final class Lease {
        final String key;
        final String token;
        final Thread holder;
        final long takenAt;
        volatile long renewedAt;
        volatile boolean released;

        Lease(String key, String token, long now) {
            this.key = key;
            this.token = token;
            this.holder = Thread.currentThread();
            this.takenAt = now;
            this.renewedAt = now;
        }
    }

    /** The locks of one request, and whether its URI asks for locking (known once asked). */
    static final class Held {
        final List<Lease> leases = new ArrayList<>(1);
        private String uri;
        private boolean uriKnown;

        boolean isEmpty() {
            return leases.isEmpty();
        }

        /** Forgets the request (its leases were released). */
        void clear() {
            leases.clear();
            uri = null;
            uriKnown = false;
        }
    }

    private final Primitives store;
    private final SessionKeys keys;
    private final Pattern lock;
    private final long lockWaitMillis;
    private final Counters stats;
    private final Function<Object, String> uriOf;
    private final Consumer<String> warnRarely;
    private final int ttlSeconds;
    private final long renewEveryMillis;
    private final Set<Lease> live = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean lossReported = new AtomicBoolean();
    private final AtomicBoolean overHoldReported = new AtomicBoolean();
    private Thread renewer;

    SessionLocks(MirrorServices services, ContainerAdapter adapter, Consumer<String> warnRarely) {
        this(new Primitives() {
            @Override
            public boolean tryLock(String key, String token, int ttl) throws StoreException {
                return services.store.tryLock(key, token, ttl);
            }

            @Override
            public boolean renewLock(String key, String token, int ttl) throws StoreException {
                return services.store.renewLock(key, token, ttl);
            }

            @Override
            public boolean unlock(String key, String token) throws StoreException {
                return services.store.unlock(key, token);
            }
        }, services.keys, services.lock, services.lockWaitMillis, services.stats, adapter::requestUri, warnRarely,
                LOCK_TTL_SECONDS);
    }

    /** With a TTL of its own: tests use a short one to see locks expire and renewals happen. */
    SessionLocks(Primitives store, SessionKeys keys, Pattern lock, long lockWaitMillis, Counters stats,
                 Function<Object, String> uriOf, Consumer<String> warnRarely, int ttlSeconds) {
        this.store = store;
        this.keys = keys;
        this.lock = lock;
        this.lockWaitMillis = lockWaitMillis;
        this.stats = stats;
        this.uriOf = uriOf;
        this.warnRarely = warnRarely;
        this.ttlSeconds = ttlSeconds;
        this.renewEveryMillis = Math.max(100, ttlSeconds * 1000L / 3);
    }

    /** Whether {@code request} takes session locks: locking is on and its URI matches {@code lock}. */
    boolean wanted(Held held, Object request) {
        if (lock == null || request == null) {
            return false;
        }
        if (!held.uriKnown) {
            held.uri = uriOf.apply(request);
            held.uriKnown = true;
        }
        // A family that cannot tell the URI (Jetty) locks only with lock=all.
        return held.uri == null ? lock.pattern().equals(".*") : lock.matcher(held.uri).matches();
    }

    /**
     * Takes the lock of the session stored under {@code sessionKey} for the rest of the request, if the request
     * takes locks and does not hold this one yet. Waits at most {@code lock.wait}; then, or when Memcached does
     * not answer, the request goes on unlocked.
     */
    void lock(Held held, Object request, String sessionKey) {
        if (!wanted(held, request)) {
            return;
        }
        String lockKey = keys.lockKey(sessionKey);
        for (Lease l : held.leases) {
            if (l.key.equals(lockKey)) {
                return;
            }
        }
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-" + Long.toHexString(System.nanoTime());
        long deadline = System.nanoTime() + lockWaitMillis * 1_000_000L;
        long pause = 2;
        boolean waited = false;
        while (true) {
            try {
                if (store.tryLock(lockKey, token, ttlSeconds)) {
                    Lease lease = new Lease(lockKey, token, System.currentTimeMillis());
                    held.leases.add(lease);
                    renew(lease);
                    if (waited) {
                        stats.lockWaits.increment();
                    }
                    return;
                }
            } catch (StoreException e) {
                return; // Memcached is not answering: no lock to be had, the request goes on
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                stats.lockTimeouts.increment();
                warnRarely.accept("A request waited " + lockWaitMillis + " ms for the lock of a session (" + held.uri
                        + ") and goes on without it; concurrent changes to that session may overwrite each other."
                        + " Raise 'lock.wait' if requests on one session often take longer.");
                return;
            }
            waited = true;
            try {
                Thread.sleep(Math.max(1, Math.min(pause, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pause = Math.min(pause * 2, 25);
        }
    }

    /** Releases every lock the request holds that is still its own, and stops renewing them. */
    void releaseAll(Held held) {
        for (Lease l : held.leases) {
            l.released = true;
            live.remove(l);
            try {
                store.unlock(l.key, l.token);
            } catch (StoreException e) {
                // it expires by itself, within the TTL: nothing renews it any more
            }
        }
        held.leases.clear();
    }

    // ---------------------------------------------------------------- renewal

    private synchronized void renew(Lease lease) {
        boolean idle = live.isEmpty();
        live.add(lease);
        if (renewer == null) {
            renewer = new Thread(this::runRenewals, "session-mirror-lock-renewer");
            renewer.setDaemon(true);
            renewer.start();
        } else if (idle) {
            notifyAll(); // the renewer waits without a deadline while nothing is held
        }
    }

    private void runRenewals() {
        while (true) {
            try {
                synchronized (this) {
                    wait(live.isEmpty() ? 0 : renewEveryMillis);
                }
                renewDue(System.currentTimeMillis());
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                LOG.debug("Renewing session locks failed: {}", e.toString());
            }
        }
    }

    /** One round: extends every lease renewed more than half a period ago; drops those no longer to renew. */
    void renewDue(long now) {
        for (Lease l : live) {
            if (l.released || !l.holder.isAlive()) {
                live.remove(l); // released, or its thread ended without releasing: it expires by itself
                continue;
            }
            if (now - l.takenAt > MAX_HOLD_MILLIS) {
                live.remove(l);
                if (overHoldReported.compareAndSet(false, true)) {
                    LOG.warn("A request has held a session lock for over {} minutes; it is no longer renewed and expires"
                            + " within {} s (reported once)", MAX_HOLD_MILLIS / 60_000, ttlSeconds);
                }
                continue;
            }
            if (now - l.renewedAt < renewEveryMillis / 2) {
                continue;
            }
            try {
                if (store.renewLock(l.key, l.token, ttlSeconds)) {
                    l.renewedAt = now;
                } else if (!l.released) {
                    live.remove(l);
                    lost();
                }
            } catch (StoreException e) {
                // Memcached did not answer: tried again next round (the lock may expire meanwhile; then that
                // renewal finds it lost)
            }
        }
    }

    private void lost() {
        stats.lostLocks.increment();
        if (lossReported.compareAndSet(false, true)) {
            LOG.warn("A session lock expired while its request still ran (the store did not see a renewal in {} s, e.g."
                    + " a long GC pause or an unreachable node) and another request may hold it now; the request goes on"
                    + " without it, so concurrent changes to that session may overwrite each other. Counted as lostLocks"
                    + " (reported once).", ttlSeconds);
        } else {
            LOG.debug("A session lock expired while its request still ran");
        }
    }

    /** Leases being renewed (for tests). */
    int renewing() {
        return live.size();
    }
}
