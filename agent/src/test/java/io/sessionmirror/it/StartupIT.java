package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.SessionKeys;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What happens at start-up: bad options stop the JVM with one line; Memcached down does not. */
class StartupIT {

    private static final Duration EXIT = Duration.ofSeconds(60);

    private static List<String> agentLines(String log) {
        return Arrays.stream(log.split("\n")).filter(l -> l.startsWith("session-mirror:")).collect(Collectors.toList());
    }

    private void assertRefusedWithOneLine(String options, String expectedLine) throws Exception {
        try (ServerProcess s = Servers.embeddedTomcat(Servers.TOMCAT10, "bad", Memcached.freePort(), options)) {
            int exit = s.awaitExit(EXIT);
            String log = s.log();
            assertNotEquals(0, exit, log);
            assertEquals(List.of(expectedLine), agentLines(log), log);
            assertFalse(log.contains("Exception"), "no stack trace:\n" + log);
            assertFalse(log.contains("Starting Servlet engine"), "Tomcat did not start:\n" + log);
        }
    }

    @Test
    void malformedValueStopsStartUpWithOneLine() throws Exception {
        assertRefusedWithOneLine("nodes=127.0.0.1:11211,write=maybe",
                "session-mirror: invalid value 'maybe' for option 'write' in -javaagent options; expected async or sync");
    }

    @Test
    void unknownKeyStopsStartUpWithOneLine() throws Exception {
        assertRefusedWithOneLine("nodes=127.0.0.1:11211,wrte=sync",
                "session-mirror: unknown option 'wrte' in -javaagent options (did you mean 'write'?); known options: "
                        + "nodes, enabled, write, write.interval, replicas, mode, route, lock, lock.wait, serializer, prefix, timeout, discovery.interval, queue, shutdown.timeout, secret, secret.file, encrypt, username, password, password.file, tls, tls.ca, tls.cert, tls.key, tls.verify.hostname, classes.allow, classes.deny, max.size, compress, metrics.port, summary, log, export, config");
    }

    @Test
    void missingNodesStopsStartUpWithOneLine() throws Exception {
        assertRefusedWithOneLine("", "session-mirror: option 'nodes' is required, e.g. -javaagent:session-mirror-agent.jar"
                + "=nodes=127.0.0.1:11211 (or -Dsessionmirror.nodes, SESSIONMIRROR_NODES, or enabled=false)");
    }

    @Test
    void memcachedDownAtStartUpTheServerServesAndMirroringStartsWhenItAnswers() throws Exception {
        int port = Memcached.freePort();
        try (ServerProcess a = Servers.embeddedTomcat(Servers.TOMCAT10, "A", Memcached.freePort(),
                "nodes=127.0.0.1:" + port + ",timeout=300")) {
            a.awaitReady("/shop/stats", Duration.ofSeconds(90));
            Browser user = new Browser();
            long t0 = System.nanoTime();
            assertEquals("1", user.get(a.url("/shop/counter?format=text")).get("attr.visits"));
            assertEquals("2", user.get(a.url("/shop/counter?format=text")).get("attr.visits"));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "requests are not held up");
            String key = new SessionKeys("sm").key(new SessionKeys("sm").namespace(null, "/shop"), user.sessionId());
            // The outage is reported (a failed write, or the node's circuit opening) before memcached comes: the
            // writes are queued, so without this wait a quick start of memcached could hide the outage.
            a.awaitLog("Sessions stay", Duration.ofSeconds(30));

            try (Memcached memcached = Memcached.startOn(port)) {
                assertNull(memcached.get(key));
                // The client reconnects in the background; the next change of the session is mirrored.
                int[] visits = {2};
                Poll.until("the session mirrored once Memcached answered", Duration.ofSeconds(30), () -> {
                    visits[0]++;
                    user.get(a.url("/shop/counter?format=text"));
                    return containsAll("visits").test(memcached.get(key));
                });
                // The last request's change has landed too: its copy holds the last count. (A write barrier would
                // not do here: the session is hot, so its write may wait out write.interval behind the barrier's.)
                memcached.await(key, FaultTest.holdsVisits(visits[0], user.sessionId()), Duration.ofSeconds(10));
                String log = a.log();
                assertTrue(log.contains("Sessions stay local") || log.contains("Sessions stay on this server"),
                        "the outage was reported:\n" + log);

                a.kill9();
                try (ServerProcess b = Servers.embeddedTomcat(Servers.TOMCAT10, "B", Memcached.freePort(),
                        "nodes=" + memcached.address())) {
                    b.awaitReady("/shop/stats", Duration.ofSeconds(90));
                    Map<String, String> onB = user.get(b.url("/shop/session"));
                    assertEquals(String.valueOf(visits[0]), onB.get("attr.visits"));
                }
            }
        }
    }
}
