package io.sessionmirror.agent.core;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The agent's part of a JVM shutdown: it waits for the server to finish serving, then for the writes of
 * what it served, and only then refuses new work and disconnects.
 *
 * <p>Why it must wait: shutdown hooks run concurrently and the JVM halts when the last one returns. The
 * server's own hook (Tomcat's, Jetty's, an application's) stops accepting connections and lets the
 * requests in progress finish; those requests then write or queue their sessions. A hook that flushes at
 * once finds an empty queue, closes the store under the running requests, and loses exactly the changes
 * the clients were just told about.
 *
 * <p>How it knows the server is done, without knowing the server:
 * <ol>
 *   <li>no request that may write a session is in progress ({@link InFlightRequests}: entered at a
 *       family's request start or session lookup, left once the session's release has written or queued
 *       its change),</li>
 *   <li>the write queue is empty and nothing is being written,</li>
 *   <li>and both stayed so for a quiet period ({@value #QUIET_MILLIS} ms) in which no request entered
 *       and nothing was queued: the gap between one hook and the next on a request's way out (Tomcat's
 *       request end and its session release), and a server that takes a moment to stop its
 *       connectors, are covered by it. An idle server's exit is delayed by this quiet period alone.</li>
 * </ol>
 * All of it is bounded by {@code shutdown.timeout} (the server's own stop is bounded too: Tomcat waits
 * two seconds for its requests by default). Then the queue is closed: a later {@code submit} is refused
 * and counted, a {@code write=sync} write after the store is closed fails and is counted as a store
 * failure. The queue gets what remains of the timeout (at least {@value #MIN_FLUSH_MILLIS} ms) to write
 * what it accepted, and one log line says how many writes were done during the drain and how many could
 * not be written. The waits sleep on {@link ChangeSignal}s, woken when a count reaches zero; the only
 * timed sleep is the quiet period's own clock.
 */
public final class ShutdownDrain {

    static final long QUIET_MILLIS = 300;
    static final long MIN_FLUSH_MILLIS = 1000;
    private static final long DEATH_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final InFlightRequests requests;
    private final WriteBehindQueue queue;
    private final AutoCloseable store;
    private final long quietNanos;

    public ShutdownDrain(InFlightRequests requests, WriteBehindQueue queue, AutoCloseable store) {
        this(requests, queue, store, QUIET_MILLIS);
    }

    ShutdownDrain(InFlightRequests requests, WriteBehindQueue queue, AutoCloseable store, long quietMillis) {
        this.requests = requests;
        this.queue = queue;
        this.store = store;
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
    }

    /** What a drain did, for its log line and for tests. */
    public static final class Outcome {
        public final boolean quiet;
        public final int requestsLeft;
        public final long written;
        public final long unwritten;
        public final long refused;
        public final long millis;
        /** The threads of the requests still counted when the wait ended. */
        public final String threadsLeft;

        Outcome(boolean quiet, int requestsLeft, String threadsLeft, long written, long unwritten, long refused,
                long millis) {
            this.threadsLeft = threadsLeft;
            this.quiet = quiet;
            this.requestsLeft = requestsLeft;
            this.written = written;
            this.unwritten = unwritten;
            this.refused = refused;
            this.millis = millis;
        }
    }

    /** Waits (at most {@code timeoutMillis}), closes the queue, writes what it holds, disconnects, logs. */
    public Outcome run(long timeoutMillis, Logger log) {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long finishedBefore = queue.finished();
        long failedBefore = queue.failed();
        boolean quiet = awaitQuiet(deadline);
        int requestsLeft = requests.active();
        String threadsLeft = requestsLeft == 0 ? "" : requests.threadNames();
        queue.close();
        long flushMillis = Math.max(MIN_FLUSH_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        queue.flush(flushMillis);
        int left = queue.stop(MIN_FLUSH_MILLIS);
        closeStore(log);
        long failed = queue.failed() - failedBefore;
        long written = Math.max(0, queue.finished() - finishedBefore - failed);
        long refused = queue.refused();
        long unwritten = left + refused + failed;
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        Outcome outcome = new Outcome(quiet, requestsLeft, threadsLeft, written, unwritten, refused, ms);
        report(outcome, timeoutMillis, log);
        return outcome;
    }

    private void closeStore(Logger log) {
        try {
            if (store != null) {
                store.close();
            }
        } catch (Exception | LinkageError e) {
            if (log != null) {
                log.debug("Closing the Memcached connections at shutdown failed: {}", e.toString());
            }
        }
    }

    private static void report(Outcome o, long timeoutMillis, Logger log) {
        if (log == null) {
            return;
        }
        if (o.quiet && o.unwritten == 0) {
            log.info("Shutdown: {} Memcached writes done while the server stopped, 0 could not be written ({} ms)",
                    o.written, o.millis);
            return;
        }
        log.warn("Shutdown: {} Memcached writes done while the server stopped, {} could not be written ({} failed or"
                + " still queued, {} refused after the queue closed){}; those changes are only on this server and are"
                + " lost with it ({} ms)", o.written, o.unwritten, o.unwritten - o.refused, o.refused,
                o.quiet ? "" : "; stopped waiting after shutdown.timeout=" + timeoutMillis + " ms with " + o.requestsLeft
                        + " requests still in progress" + (o.requestsLeft == 0 ? " (Memcached still busy)" : " (" + o.threadsLeft + ")"),
                o.millis);
    }

    /**
     * Returns true once no request is in progress, the queue is idle, and neither changed for the quiet
     * period; false at the deadline.
     */
    boolean awaitQuiet(long deadline) {
        requests.idle.join();
        queue.idle.join();
        try {
            long marker = activity();
            long quietSince = System.nanoTime();
            while (true) {
                long seenRequests = requests.idle.version();
                long seenQueue = queue.idle.version();
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    return false;
                }
                if (requests.active() > 0) {
                    requests.pruneDead();
                    if (requests.active() > 0) {
                        // Woken when the count reaches zero; re-checked now and then for threads that died inside
                        // a request (a server that cut its requests when it stopped): a death sends no signal.
                        requests.idle.await(seenRequests, Math.min(deadline - now, DEATH_CHECK_NANOS));
                    }
                    quietSince = System.nanoTime();
                    marker = activity();
                    continue;
                }
                if (!queue.idle()) {
                    queue.idle.await(seenQueue, deadline - now);
                    quietSince = System.nanoTime();
                    marker = activity();
                    continue;
                }
                long m = activity();
                if (m != marker) {
                    marker = m;
                    quietSince = now;
                }
                long left = quietSince + quietNanos - now;
                if (left <= 0) {
                    return true;
                }
                // The quiet period's own clock: no signal is awaited here, only time.
                TimeUnit.NANOSECONDS.sleep(Math.min(left, deadline - now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            requests.idle.leave();
            queue.idle.leave();
        }
    }

    /** Moves whenever a request enters or a task is queued. */
    private long activity() {
        return requests.entered() + queue.submitted();
    }
}
