package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.SessionKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The session lock of {@code mode=non-sticky,lock=all} on real Tomcat servers, with the interleavings that break a
 * lock forced rather than hoped for: a lock that another server took between our read and our release, a request
 * that outlives the lock's TTL, and an unknown session id (which must cost no lock at all).
 */
class NonStickyLockIT extends FaultTest {

    private static final String LOCKED = ",mode=non-sticky,lock=all,lock.wait=20000";
    /** memcached's counters of the commands a lock uses (add counts in cmd_set). */
    private static final List<String> WRITE_STATS = List.of("cmd_set", "cmd_touch", "delete_hits", "delete_misses",
            "cas_hits", "cas_misses", "cas_badval");

    private static String lockKey(String sessionId) {
        return KEYS.lockKey(key(SessionKeys.stripRoute(sessionId)));
    }

    @Test
    void aReleaseLeavesALockAnotherServerTookBetweenItsReadAndItsWrite() throws Exception {
        Memcached memcached = node();
        try (HoldingProxy proxy = new HoldingProxy(memcached)) {
            ServerProcess a = tomcat("releaseRaceA", "nodes=" + proxy.address() + LOCKED);
            Browser user = new Browser();
            assertEquals("1", user.get(a.url("/shop/counter?format=text")).get("attr.visits"));
            String lockKey = lockKey(user.sessionId());
            // The release's write: a delete (get-then-delete) or a compare-and-swap to the free marker "-".
            proxy.holdNext((line, data) -> line.startsWith("delete " + lockKey)
                    || line.startsWith("cas " + lockKey + " ") && data != null && new String(data, StandardCharsets.US_ASCII).equals("-"));
            CompletableFuture<Map<String, String>> request = CompletableFuture.supplyAsync(() -> {
                try {
                    return user.get(a.url("/shop/counter?format=text"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            System.out.println("[NonStickyLockIT] held: " + proxy.awaitHeld(30));
            // Between the release's read and its write, the lock expired and server B took it.
            byte[] theirs = "lock-of-server-B".getBytes(StandardCharsets.US_ASCII);
            memcached.set(lockKey, theirs, 60);
            long before = sum(memcached, WRITE_STATS);
            proxy.release();
            await("the held release reached memcached", () -> sum(memcached, WRITE_STATS) > before);
            assertArrayEquals(theirs, memcached.get(lockKey), "B's lock survives A's release");
            assertEquals("2", request.get(30, TimeUnit.SECONDS).get("attr.visits"));
        }
    }

    @Test
    void aRequestLongerThanTheLockTtlKeepsItsLock() throws Exception {
        Memcached memcached = node();
        String options = nodesOption(List.of(memcached)) + LOCKED;
        ServerProcess a = tomcat("longA", options);
        ServerProcess b = tomcat("longB", options);
        Browser user = new Browser();
        assertEquals("1", user.get(a.url("/shop/slow/inc?ms=0")).get("n"));
        String id = user.sessionId();
        String lockKey = lockKey(id);
        // A works for 12 s, beyond the lock's 10 s TTL, holding the lock it took at its start.
        CompletableFuture<Map<String, String>> slow = CompletableFuture.supplyAsync(() -> get(id, a.url("/shop/slow/inc?ms=12000")));
        memcached.await(lockKey, v -> v != null && v.length > 1, Duration.ofSeconds(20)); // A holds the lock
        // B's request on the same session waits for it, and must not get it before A's write is stored.
        Map<String, String> onB = get(id, b.url("/shop/slow/inc?ms=0"));
        Map<String, String> onA = slow.get(60, TimeUnit.SECONDS);
        System.out.println("[NonStickyLockIT] slow request on A answered n=" + onA.get("n") + ", the waiting one on B n="
                + onB.get("n"));
        assertEquals("2", onA.get("n"));
        assertEquals("3", onB.get("n"), "B ran after A's write (a lock lost at 10 s lets B read n=1 too)");
        assertEquals("3", get(id, a.url("/shop/session")).get("attr.n"));
    }

    @Test
    void anUnknownSessionIdTakesNoLock() throws Exception {
        Memcached memcached = node();
        ServerProcess a = tomcat("unknownId", nodesOption(List.of(memcached)) + LOCKED);
        Browser stranger = new Browser();
        stranger.get(a.url("/shop/stats"));
        Map<String, Long> before = stats(memcached);
        stranger.sessionId("0123456789ABCDEF0123456789ABCDEF");
        assertEquals("none", stranger.get(a.url("/shop/session")).get("session"));
        stranger.get(a.url("/shop/stats")); // the request above has ended here, its end-of-request work with it
        Map<String, Long> after = stats(memcached);
        System.out.println("[NonStickyLockIT] memcached commands for one request with an unknown id: before " + before
                + ", after " + after);
        assertTrue(after.get("cmd_get") > before.get("cmd_get"), "the id was looked up");
        for (String s : WRITE_STATS) {
            assertEquals(before.get(s), after.get(s), s + ": no lock taken or released");
        }
    }

    private static Map<String, String> get(String id, String url) {
        Browser tab = new Browser();
        tab.sessionId(id);
        try {
            return tab.get(url);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Long> stats(Memcached m) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("cmd_get", m.stat("cmd_get"));
        for (String s : WRITE_STATS) {
            out.put(s, m.stat(s));
        }
        return out;
    }

    private static long sum(Memcached m, List<String> names) throws Exception {
        long total = 0;
        for (String s : names) {
            total += m.stat(s);
        }
        return total;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        Poll.until(what, java.time.Duration.ofSeconds(20), check::ok);
    }
}
