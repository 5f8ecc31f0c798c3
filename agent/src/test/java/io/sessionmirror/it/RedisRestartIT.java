package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redis restarts empty (no persistence; kill -9 and a new process on the same port): the agent sees another run
 * id and writes every session of its server again, also those nobody touches afterwards, so that a failover
 * still finds them all.
 */
class RedisRestartIT extends RedisFaultTest {

    private static final int USERS = 40;

    @Test
    void aRedisThatRestartedEmptyGetsEverySessionBack() throws Exception {
        Redis redis = Redis.start();
        Backend store = redis(redis, RedisBackends.standalone(redis));
        ServerProcess a = tomcat("redisRestartA", store.agentOptions());
        List<Browser> users = new ArrayList<>();
        long[] acked = new long[USERS];
        for (int i = 0; i < USERS; i++) {
            users.add(new Browser());
            users.get(i).get(a.url("/shop/counter?format=text"));
            acked[i] = Long.parseLong(users.get(i).get(a.url("/shop/counter?format=text")).get("attr.visits"));
        }
        awaitStored(users, acked, redis::get, Duration.ofSeconds(10));

        String before = redis.runId();
        long t0 = System.nanoTime();
        redis.restart();
        assertNotEquals(before, redis.runId(), "another process (empty: no persistence; the agent may refill it already)");
        a.awaitLog("another server process", Duration.ofSeconds(30));
        long rewritten = awaitStored(users, acked, redis::get, Duration.ofSeconds(30));
        System.out.println("[RedisRestartIT] every session was in Redis again " + (System.nanoTime() - t0) / 1_000_000
                + " ms after the restart (" + rewritten + " ms after the agent noticed it)");
        String log = a.log();
        assertTrue(log.indexOf("another server process") == log.lastIndexOf("another server process"),
                "the restart is logged once: " + log);

        a.kill9();
        ServerProcess b = tomcat("redisRestartB", store.agentOptions());
        assertEquals(List.of(), resumed(b, users, acked), "sessions lost or behind after the failover");
    }
}
