package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End to end on Redis: two real Tomcat 10.1 JVMs with the agent and {@code nodes=redis://...}; a session
 * survives the kill of its server, and a server with the agent still stops gracefully. The full failover suite on Redis is another class's job.
 */
class RedisTomcatSmokeIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration STORED = Duration.ofSeconds(10);

    @Test
    void aSessionSurvivesTheKillOfItsServer() throws Exception {
        try (Redis redis = Redis.start();
             ServerProcess a = Servers.embeddedTomcat(Servers.TOMCAT10, "A", Memcached.freePort(), "nodes=" + redis.uri());
             ServerProcess b = Servers.embeddedTomcat(Servers.TOMCAT10, "B", Memcached.freePort(), "nodes=" + redis.uri())) {
            a.awaitReady("/shop/stats", READY);
            b.awaitReady("/shop/stats", READY);
            Browser user = new Browser();
            user.get(a.url("/shop/cart/add?item=apple&format=text"));
            String id = user.sessionId();
            assertNotNull(id);
            user.get(a.url("/shop/counter?format=text"));
            user.get(a.url("/shop/cart/add?item=pear&format=text"));
            Poll.until("the session with the pear stored in Redis", STORED, () -> {
                for (String k : redis.keys(0)) {
                    if (k.contains(id) && Memcached.containsAll("pear", "visits").test(redis.get(k))) {
                        return true;
                    }
                }
                return false;
            });

            a.kill9();
            Map<String, String> onB = user.get(b.url("/shop/session"));
            assertEquals("B", onB.get("server"));
            assertEquals("false", onB.get("new"), "the user's session, not a new one: " + onB);
            assertEquals("[apple, pear]", onB.get("attr.cart"));
            assertEquals("1", onB.get("attr.visits"));

            b.stop(); // SIGTERM, then kill -9 after 30 s
            assertEquals(143, b.awaitExit(Duration.ofSeconds(1)), "a graceful stop, not a kill: " + b.log());
        }
    }
}
