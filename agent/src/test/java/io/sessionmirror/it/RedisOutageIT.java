package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Redis hangs under load (SIGSTOP: connections stay open, nothing answers) with {@code write=sync}, so request
 * threads do talk to it: no request fails, none waits much longer than {@code timeout} (the circuit opens after
 * a few), sessions stay on the server meanwhile, and once Redis answers again every change made during the outage
 * lands without its user doing anything; a failover then finds every acknowledged change. The outage lasts until
 * the circuit has opened and every user has changed their session ten more times with it open: a phase measured
 * in requests served, not in seconds.
 */
class RedisOutageIT extends RedisFaultTest {

    private static final int USERS = 50;
    private static final int TIMEOUT_MS = 300;

    @Test
    void anOutageUnderLoadFailsNoRequestAndLosesNoChange() throws Exception {
        Redis redis = Redis.start();
        Backend store = redis(redis, RedisBackends.standalone(redis));
        String options = store.agentOptions() + ",write=sync,timeout=" + TIMEOUT_MS;
        ServerProcess a = tomcat("redisOutageA", options);
        List<Browser> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(new Browser());
        }
        Traffic before = new Traffic(users, i -> a.url("/shop/counter?format=text"), 2).start();
        before.awaitOk(USERS * 5L, Duration.ofSeconds(120));
        before.stop();
        awaitStored(users, acknowledged(before, USERS), redis::get, Duration.ofSeconds(10));

        Traffic during = new Traffic(users, i -> a.url("/shop/counter?format=text"), 2);
        for (int i = 0; i < USERS; i++) {
            during.acked(i, Map.of("attr.visits", String.valueOf(before.acked(i))));
        }
        redis.pause();
        long pausedAt = System.nanoTime();
        during.start();
        a.awaitLog("is not answering", Duration.ofSeconds(30)); // the circuit opened
        long openedAfter = (System.nanoTime() - pausedAt) / 1_000_000;
        during.awaitOk(during.ok() + USERS * 10L, Duration.ofSeconds(120));
        during.stop();
        long outage = (System.nanoTime() - pausedAt) / 1_000_000;
        long resumedAt = System.nanoTime();
        redis.resume();
        System.out.println("[RedisOutageIT] before the outage: " + before.summary());
        System.out.println("[RedisOutageIT] during the " + outage + " ms outage (circuit open after " + openedAfter
                + " ms): " + during.summary());
        assertEquals(0, before.failed() + during.failed(), "failed requests: " + during.failures());
        assertTrue(during.ok() >= USERS * 10L, "the app kept serving during the outage: " + during.summary());
        assertTrue(during.percentile(100) < TIMEOUT_MS * 1000L * 20,
                "a request waited far longer than the timeout: " + during.summary());
        long[] acked = acknowledged(during, USERS);

        long caughtUp = awaitStored(users, acked, redis::get, Duration.ofSeconds(30));
        System.out.println("[RedisOutageIT] every session changed during the outage was in Redis " + caughtUp
                + " ms after it answered again (" + (System.nanoTime() - resumedAt) / 1_000_000 + " ms incl. checks)");
        // Written by the recovery, not by their users: the outage held every session's changes back.
        Matcher back = Pattern.compile("is back: (\\d+) sessions written from this server")
                .matcher(a.awaitLog("sessions written from this server", Duration.ofSeconds(30)));
        assertTrue(back.find(), "the recovery says what it wrote");
        assertEquals(USERS, Integer.parseInt(back.group(1)), "every session changed during the outage was written by the recovery");

        a.kill9();
        ServerProcess b = tomcat("redisOutageB", options);
        assertEquals(List.of(), resumed(b, users, acked), "sessions lost or behind after the failover");
    }
}
