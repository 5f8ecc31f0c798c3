package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Redis test harness itself: each variant starts, answers, and does what its helpers say. */
class RedisHarnessIT {

    private static final byte[] VALUE = "v1".getBytes(StandardCharsets.US_ASCII);

    @Test
    void standaloneRestartsEmptyWithAnotherRunId() throws Exception {
        try (Redis r = Redis.start()) {
            r.set("k", VALUE);
            assertArrayEquals(VALUE, r.get("k"));
            assertEquals(-1, r.pttl("k"));
            assertEquals(-2, r.pttl("absent"));
            String runId = r.runId();
            r.kill();
            r.restart();
            assertNull(r.get("k"), "no persistence: a restarted instance is empty");
            assertNotEquals(runId, r.runId());
        }
    }

    @Test
    void aclUserIsTheOnlyWayIn() throws Exception {
        try (Redis r = Redis.startWithAclUser("mirror", "s3cret")) {
            r.set("k", VALUE);
            assertArrayEquals(VALUE, r.get("k"));
            try (RespClient anonymous = new RespClient("127.0.0.1", r.port())) {
                Object answer = anonymous.call("GET", "k");
                assertTrue(answer instanceof RespClient.Error && answer.toString().contains("NOAUTH"), String.valueOf(answer));
                Object wrong = anonymous.call("AUTH", "mirror", "wrong");
                assertTrue(wrong instanceof RespClient.Error && wrong.toString().contains("WRONGPASS"), String.valueOf(wrong));
            }
        }
    }

    @Test
    void clusterOfThreeMastersServesEverySlot() throws Exception {
        try (RedisCluster c = RedisCluster.start(3)) {
            for (int i = 0; i < 20; i++) {
                String key = "key-" + i;
                RespClient.check(c.ownerOf(key).command("SET", key, "x"));
            }
            assertEquals(20, c.keys().size());
            assertTrue(c.uri().startsWith("redis-cluster://127.0.0.1:"));
        }
    }

    @Test
    void sentinelFailoverPromotesTheReplica() throws Exception {
        try (RedisSentinel s = RedisSentinel.start(1)) {
            Redis before = s.master();
            before.set("k", VALUE);
            s.replica().await("k", v -> v != null, java.time.Duration.ofSeconds(10));
            Redis after = s.failover();
            assertNotEquals(before.port(), after.port());
            assertEquals(after.port(), s.master().port());
            assertArrayEquals(VALUE, after.get("k"));
        }
    }
}
