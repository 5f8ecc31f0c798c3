package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Redis master dies under load (kill -9) and its Sentinel promotes the replica: no request fails, writes
 * resume against the new master, and every acknowledged change is there soon after. Replication is asynchronous,
 * so the new master may lack the dead one's last writes; the agent sees another run id and writes its sessions
 * again, which is why nothing is lost while the application server lives (docs/failures.md). A failover of the
 * application server afterwards finds every acknowledged change.
 */
class RedisSentinelFailoverIT extends RedisFaultTest {

    private static final int USERS = 40;

    @Test
    void writesResumeOnTheNewMasterAndNoAcknowledgedChangeIsLost() throws Exception {
        RedisSentinel sentinel = RedisSentinel.start(1);
        Backend store = redis(sentinel, RedisBackends.sentinel(sentinel));
        ServerProcess a = tomcat("sentinelA", store.agentOptions());
        List<Browser> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(new Browser());
        }
        Traffic traffic = new Traffic(users, i -> a.url("/shop/counter?format=text"), 2).start();
        traffic.awaitOk(USERS * 3L, Duration.ofSeconds(60));

        Redis old = sentinel.master();
        Redis next = sentinel.replica();
        long t0 = System.nanoTime();
        old.kill();
        sentinel.awaitMaster(next);
        long promoted = (System.nanoTime() - t0) / 1_000_000;
        long writesOnNext = RedisBackends.calls(next, "set");
        traffic.awaitOk(traffic.ok() + USERS * 5L, Duration.ofSeconds(60)); // every user goes on clicking
        traffic.stop();
        System.out.println("[RedisSentinelFailoverIT] master killed under traffic, replica promoted after " + promoted
                + " ms: " + traffic.summary());
        assertEquals(0, traffic.failed(), "failed requests: " + traffic.failures());

        long[] acked = acknowledged(traffic, USERS);
        long caughtUp = awaitStored(users, acked, next::get, Duration.ofSeconds(30));
        System.out.println("[RedisSentinelFailoverIT] every acknowledged change was on the new master " + caughtUp
                + " ms after the traffic stopped (" + (System.nanoTime() - t0) / 1_000_000 + " ms after the kill)");
        assertNotEquals(writesOnNext, RedisBackends.calls(next, "set"), "the agent wrote to the new master");

        a.kill9();
        ServerProcess b = tomcat("sentinelB", store.agentOptions());
        assertEquals(List.of(), resumed(b, users, acked), "sessions lost or behind after the failover");
    }
}
