package io.sessionmirror.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.it.Memcached;
import io.sessionmirror.it.Redis;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code check} with a Redis URI: says what answers (version, role) or why nothing does, never the password. */
class RedisCheckIT {

    private static String[] check(String options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"check", options}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aRedisThatAnswersIsReportedWithItsVersionAndRole() throws Exception {
        try (Redis redis = Redis.startWithPassword("s3cret-pw")) {
            String[] r = check("nodes=redis://:s3cret-pw@127.0.0.1:" + redis.port());
            assertEquals("0", r[0], r[1]);
            assertTrue(r[1].contains("Redis " + Redis.installedVersion() + ", master"), r[1]);
            assertFalse(r[1].contains("s3cret-pw"), "the password is never shown:\n" + r[1]);
        }
    }

    @Test
    void aWrongPasswordOrNoServerIsAFailureThatSaysWhy() throws Exception {
        try (Redis redis = Redis.startWithPassword("s3cret-pw")) {
            String[] r = check("nodes=redis://:wrong-pw@127.0.0.1:" + redis.port());
            assertEquals("1", r[0], r[1]);
            assertTrue(r[1].contains("not reachable") && r[1].toUpperCase().contains("WRONGPASS"), r[1]);
        }
        String[] r = check("nodes=redis://127.0.0.1:" + Memcached.freePort() + ",timeout=500");
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("not reachable"), r[1]);
    }
}
