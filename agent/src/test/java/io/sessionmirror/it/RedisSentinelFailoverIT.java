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
 * application server afterwards finds every acknowledged change. The same when an operator moves the master
 * (SENTINEL FAILOVER): the old master lives on as a replica and answers writes with READONLY until the agent
 * asks the Sentinels again.
 */
class RedisSentinelFailoverIT extends RedisFaultTest {

    private static final int USERS = 40;

    /** How the master changes in a case: returns the new master once the Sentinels name it. */
    private interface Failover {
        Redis run(RedisSentinel sentinel) throws Exception;
    }

    @Test
    void theMasterDiesWritesResumeOnThePromotedReplicaAndNoAcknowledgedChangeIsLost() throws Exception {
        underLoad("master killed", s -> {
            Redis next = s.replica();
            s.master().kill();
            s.awaitMaster(next);
            return next;
        });
    }

    @Test
    void aForcedFailoverMovesTheWritesToTheNewMasterAndNoAcknowledgedChangeIsLost() throws Exception {
        underLoad("SENTINEL FAILOVER", RedisSentinel::failover);
    }

    private void underLoad(String what, Failover failover) throws Exception {
        RedisSentinel sentinel = RedisSentinel.start(1);
        Backend store = redis(sentinel, RedisBackends.sentinel(sentinel));
        ServerProcess a = tomcat("sentinelA", store.agentOptions());
        List<Browser> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(new Browser());
        }
        Traffic traffic = new Traffic(users, i -> a.url("/shop/counter?format=text"), 2).start();
        traffic.awaitOk(USERS * 3L, Duration.ofSeconds(60));

        long t0 = System.nanoTime();
        Redis next = failover.run(sentinel);
        long promoted = (System.nanoTime() - t0) / 1_000_000;
        long writesOnNext = RedisBackends.calls(next, "set");
        traffic.awaitOk(traffic.ok() + USERS * 5L, Duration.ofSeconds(60)); // every user goes on clicking
        traffic.stop();
        System.out.println("[RedisSentinelFailoverIT] " + what + " under traffic, replica promoted after " + promoted
                + " ms: " + traffic.summary());
        assertEquals(0, traffic.failed(), "failed requests: " + traffic.failures());

        long[] acked = acknowledged(traffic, USERS);
        long caughtUp = awaitStored(users, acked, next::get, Duration.ofSeconds(30));
        System.out.println("[RedisSentinelFailoverIT] " + what + ": every acknowledged change was on the new master "
                + caughtUp + " ms after the traffic stopped (" + (System.nanoTime() - t0) / 1_000_000
                + " ms after the failover began)");
        assertNotEquals(writesOnNext, RedisBackends.calls(next, "set"), "the agent wrote to the new master");

        a.kill9();
        ServerProcess b = tomcat("sentinelB", store.agentOptions());
        assertEquals(List.of(), resumed(b, users, acked), "sessions lost or behind after the failover");
    }
}
