package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A wrong password for Redis: the server starts and serves (its sessions stay local), the agent says what is
 * wrong once, in one clear line, and does not repeat it however often it tries again.
 */
class RedisWrongPasswordIT extends RedisFaultTest {

    @Test
    void aWrongPasswordIsOneClearErrorAndTheServerKeepsServing() throws Exception {
        Redis redis = Redis.startWithPassword("the-right-one");
        Backend store = redis(redis, RedisBackends.standalone(redis));
        // The usual set-up (requirepass, the default user) with the password in the URI: the 'password' option
        // alone is refused at start-up, since it needs 'username' (a SASL rule that the default user does not need).
        ServerProcess a = tomcat("wrongPassword", "nodes=redis://:not-the-right-one@" + redis.address() + ",timeout=300");
        Browser user = new Browser();
        for (int i = 1; i <= 5; i++) {
            assertEquals(String.valueOf(i), user.get(a.url("/shop/counter?format=text")).get("attr.visits"),
                    "the session lives on the server");
        }
        String line = a.awaitLog("refuses the login", Duration.ofSeconds(30));
        // The agent kept trying (Redis counts the refused logins in its ACL log): still one line about it.
        Poll.until("five refused logins in Redis' ACL log", Duration.ofSeconds(30), () -> refusedLogins(redis) >= 5);
        assertEquals("6", user.get(a.url("/shop/counter?format=text")).get("attr.visits"));
        String log = a.log();
        System.out.println("[RedisWrongPasswordIT] " + refusedLogins(redis) + " refused logins; the agent said: "
                + lines(log, "Redis"));
        assertEquals(1, lines(log, "WRONGPASS").size(), "one line names the refusal: " + lines(log, "Redis"));
        assertTrue(line.contains("password"), "it says what to fix: " + line);
        assertFalse(log.contains("not-the-right-one"), "the password is not logged");
        assertEquals(List.of(), lines(log, "is not answering"), "a refused login is not an outage");
        assertEquals(List.of(), redis.keys(0), "nothing was written");
    }

    /** Failed AUTH attempts in Redis' ACL LOG (entries of one reason and client are merged, with a count). */
    private static long refusedLogins(Redis redis) throws Exception {
        long n = 0;
        for (Object entry : (List<?>) RespClient.check(redis.command("ACL", "LOG"))) {
            List<?> fields = (List<?>) entry;
            boolean auth = false;
            long count = 0;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String name = new String((byte[]) fields.get(i), StandardCharsets.UTF_8);
                Object value = fields.get(i + 1);
                if (name.equals("reason")) {
                    auth = "auth".equals(new String((byte[]) value, StandardCharsets.UTF_8));
                } else if (name.equals("count")) {
                    count = (Long) value;
                }
            }
            n += auth ? count : 0;
        }
        return n;
    }

    private static List<String> lines(String log, String containing) {
        return log.lines().filter(l -> l.contains(containing)).collect(Collectors.toList());
    }
}
