package io.sessionmirror.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The fault tests on Redis: what {@link FaultTest} gives (servers per test, keys, the agent's codec), plus the
 * Redis processes a test starts (stopped after it) and the backend it ran on, for the backend matrix.
 */
abstract class RedisFaultTest extends FaultTest {

    private final List<AutoCloseable> processes = new ArrayList<>();
    /** The store the test runs on, once started: its label is this test's row in the backend matrix. */
    private String[] label = {"Redis", "standalone", "unknown"};

    @AfterEach
    void stopRedis() throws Exception {
        for (AutoCloseable p : processes) {
            p.close();
        }
        processes.clear();
    }

    /** Redis processes the test started (stopped after it) and the store they are: it labels the test. */
    Backend redis(AutoCloseable processes, Backend store) {
        this.processes.add(processes);
        this.label = store.label();
        return store;
    }

    @Override
    public String[] backendLabel() {
        return label;
    }

    /** The visits counter each user's stored session holds, read with {@code read}; the first that lags, or null. */
    static String lagging(List<Browser> users, long[] acknowledged, KeyReader read) throws Exception {
        for (int i = 0; i < users.size(); i++) {
            String id = users.get(i).sessionId();
            long stored = visits(read.get(key(id)), id);
            if (stored != acknowledged[i]) {
                return "session " + i + " (" + id + ") stored " + stored + ", acknowledged " + acknowledged[i];
            }
        }
        return null;
    }

    /** Waits until every user's acknowledged count is stored; returns how long that took (ms). */
    static long awaitStored(List<Browser> users, long[] acknowledged, KeyReader read, Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        Poll.untilNothingPending(timeout, () -> lagging(users, acknowledged, read));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Every user's session resumes on {@code server} (another server) with its acknowledged count. */
    static List<String> resumed(ServerProcess server, List<Browser> users, long[] acknowledged) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            java.util.Map<String, String> facts = users.get(i).get(server.url("/shop/session"));
            if (!server.name().equals(facts.get("server"))
                    || !String.valueOf(acknowledged[i]).equals(facts.get("attr.visits"))) {
                wrong.add("session " + i + ": acknowledged " + acknowledged[i] + ", found " + facts);
            }
        }
        return wrong;
    }

    static long[] acknowledged(Traffic t, int users) {
        long[] a = new long[users];
        for (int i = 0; i < users; i++) {
            a[i] = t.acked(i);
        }
        return a;
    }

    /** Reads a stored value by key (a Redis instance, the master of the moment, a backend). */
    interface KeyReader {
        byte[] get(String key) throws Exception;
    }
}
