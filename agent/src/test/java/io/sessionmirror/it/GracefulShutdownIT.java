package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A planned restart: SIGTERM right after a burst of changes, with {@code write=async} so writes are still
 * queued when the JVM is told to stop. The agent flushes its queue (bounded) before the JVM exits: every
 * acknowledged change is on the next server.
 */
class GracefulShutdownIT extends FaultTest {

    private static final int USERS = 300;

    @Test
    void sigtermFlushesPendingAsyncWrites() throws Exception {
        Memcached memcached = node();
        String options = nodesOption(List.of(memcached)) + ",write=async";
        ServerProcess a = tomcat("termA", options);
        List<Browser> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(new Browser());
        }
        // Several rounds of changes from 8 threads; the last round ends immediately before the SIGTERM.
        Traffic burst = new Traffic(users, i -> a.url("/shop/counter?format=text"), 8).start();
        burst.awaitOk(USERS * 5L, Duration.ofSeconds(180)); // five rounds per user, then the SIGTERM amid them
        burst.stop();
        a.stop(); // SIGTERM: shutdown hooks run
        assertEquals(0, burst.failed(), "failed requests: " + burst.failures());
        String flushed = a.log().lines().filter(l -> l.contains("Shutdown:")).findFirst()
                .orElse("(nothing was pending at the SIGTERM)");
        System.out.println("[GracefulShutdownIT] " + burst.summary() + "; " + flushed);

        ServerProcess b = tomcat("termB", options);
        List<String> behind = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            if (burst.acked(i) == 0) {
                continue;
            }
            Map<String, String> facts = users.get(i).get(b.url("/shop/session"));
            if (!String.valueOf(burst.acked(i)).equals(facts.get("attr.visits"))) {
                behind.add(users.get(i).sessionId() + ": " + facts.get("attr.visits") + " of " + burst.acked(i));
            }
        }
        assertTrue(burst.ok() > USERS, burst.summary());
        assertEquals(List.of(), behind, "acknowledged changes lost in a graceful shutdown");
    }
}
