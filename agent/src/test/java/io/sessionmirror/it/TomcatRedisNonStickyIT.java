package io.sessionmirror.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code mode=non-sticky} on Tomcat 10.1 with Redis as the store: the newest version on every request, and with
 * {@code lock=all} the session lock is Redis' ({@code SET NX PX} with a token, renewed and released by
 * compare-and-act scripts), so concurrent increments on two servers take turns and none is lost. Also: a request
 * that outlives the lock's TTL keeps its lock (the renewal), as on Memcached ({@link NonStickyLockIT}).
 */
class TomcatRedisNonStickyIT extends TomcatNonStickyIT {

    private final List<Redis> started = new ArrayList<>();
    private String[] label = {"Redis", "standalone", "unknown"};

    @Override
    protected String storeOptions() throws Exception {
        Redis redis = Redis.start();
        started.add(redis);
        Backend store = RedisBackends.standalone(redis);
        label = store.label();
        return store.agentOptions();
    }

    @AfterEach
    void stopRedis() throws Exception {
        for (Redis r : started) {
            r.close();
        }
        started.clear();
    }

    @Override
    public String[] backendLabel() {
        return label;
    }

    @Test
    void aRequestLongerThanTheLockTtlKeepsItsRedisLock() throws Exception {
        String options = storeOptions() + ",mode=non-sticky,lock=all,lock.wait=20000";
        Redis redis = started.get(started.size() - 1);
        ServerProcess a = started(Servers.embeddedTomcat(Servers.TOMCAT10, "redisLongA", Memcached.freePort(), options))
                .awaitReady("/shop/stats", READY);
        ServerProcess b = started(Servers.embeddedTomcat(Servers.TOMCAT10, "redisLongB", Memcached.freePort(), options))
                .awaitReady("/shop/stats", READY);
        Browser user = new Browser();
        assertEquals("1", user.get(a.url("/shop/slow/inc?ms=0")).get("n"));
        String id = user.sessionId();
        String lockKey = KEYS.lockKey(key(io.sessionmirror.agent.core.SessionKeys.stripRoute(id)));
        // A works for 12 s, beyond the lock's 10 s TTL, holding the lock it took at its start.
        CompletableFuture<Map<String, String>> slow = CompletableFuture.supplyAsync(() -> get(id, a.url("/shop/slow/inc?ms=12000")));
        redis.await(lockKey, v -> v != null && v.length > 1, Duration.ofSeconds(20));
        System.out.println("[TomcatRedisNonStickyIT] A holds the lock " + new String(redis.get(lockKey), StandardCharsets.UTF_8)
                + " for " + redis.pttl(lockKey) + " ms");
        Map<String, String> onB = get(id, b.url("/shop/slow/inc?ms=0")); // waits for A's lock
        Map<String, String> onA = slow.get(60, TimeUnit.SECONDS);
        assertEquals("2", onA.get("n"));
        assertEquals("3", onB.get("n"), "B ran after A's write (a lock lost at 10 s lets B read n=1 too)");
        redis.await(lockKey, v -> v == null, Duration.ofSeconds(10)); // released (compare-and-delete) after B's use
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
}
