package io.sessionmirror.it;

import static io.sessionmirror.it.AbstractFailoverIT.assertSameSession;
import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.SessionKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Storage is server-neutral: a session created on Tomcat 10.1 (with a jvmRoute, so its cookie carries
 * {@code .tomcatA}) is resumed on Jetty 12.1 (ee10, whose own ids carry {@code .node0}) and on Undertow
 * 2.3, from the same cookie value. The keys in Memcached never contain a route.
 */
class CrossServerIT {

    private static final Duration STORED = Duration.ofSeconds(10);
    private static final Duration READY = Duration.ofSeconds(90);
    private static final SessionKeys KEYS = new SessionKeys("sm");

    private static Memcached memcached;

    @BeforeAll
    static void startMemcached() throws Exception {
        memcached = Memcached.start();
    }

    @AfterAll
    static void stopMemcached() throws Exception {
        memcached.stop();
    }

    private static String key(String id) {
        return KEYS.key(KEYS.namespace(null, "/shop"), id);
    }

    @Test
    void aSessionMadeOnTomcatResumesOnJettyAndOnUndertowWithTheSameCookie() throws Exception {
        String options = "nodes=" + memcached.address();
        try (ServerProcess tomcat = Servers.embeddedTomcat(Servers.TOMCAT10, "tomcatA", Memcached.freePort(), options,
                List.of("--jvm-route", "tomcatA")).awaitReady("/shop/stats", READY);
             ServerProcess jetty = Servers.jetty("jetty-12.1-ee10", "ee10", "jettyB", Memcached.freePort(), options)
                     .awaitReady("/shop/stats", READY);
             ServerProcess undertow = Servers.undertow("undertowC", Memcached.freePort(), options)
                     .awaitReady("/shop/stats", READY)) {
            Browser user = new Browser();
            user.get(tomcat.url("/shop/cart/add?item=apple&format=text"));
            user.get(tomcat.url("/shop/cart/add?item=pear-in-place&format=text"));
            Map<String, String> onTomcat = user.get(tomcat.url("/shop/counter?format=text"));
            String cookie = user.sessionId();
            assertTrue(cookie.endsWith(".tomcatA"), "Tomcat's cookie carries its jvmRoute: " + cookie);
            memcached.await(key(cookie), containsAll("pear-in-place", "visits"), STORED);
            tomcat.kill9();

            // The same cookie value, sent to Jetty and to Undertow.
            Browser onJettyUser = new Browser();
            onJettyUser.sessionId(cookie);
            Map<String, String> onJetty = onJettyUser.get(jetty.url("/shop/session"));
            assertEquals("jettyB", onJetty.get("server"));
            assertSameSession(cookie, onJetty.get("id"), "Jetty resumes Tomcat's session id");
            assertEquals("false", onJetty.get("new"));
            assertEquals("[apple, pear-in-place]", onJetty.get("attr.cart"));
            assertEquals("1", onJetty.get("attr.visits"));
            assertEquals(onTomcat.get("created"), onJetty.get("created"));
            assertEquals("1", onJetty.get("cartActivations"));
            // Jetty changes it; the change reaches Undertow.
            long versionBefore = FaultTest.version(memcached.get(key(cookie)));
            assertEquals("2", onJettyUser.get(jetty.url("/shop/counter?format=text")).get("attr.visits"));
            // the write behind the counter request has landed: its copy is newer (the session was
            // restored moments ago, so its write may wait out write.interval behind a barrier's: read it)
            String barrierKey = WriteBarrier.await(jetty, memcached, STORED);
            memcached.await(key(cookie), v -> FaultTest.version(v) > versionBefore, STORED);
            jetty.kill9();

            Browser onUndertowUser = new Browser();
            onUndertowUser.sessionId(cookie);
            Map<String, String> onUndertow = onUndertowUser.get(undertow.url("/shop/session"));
            assertEquals("undertowC", onUndertow.get("server"));
            assertSameSession(cookie, onUndertow.get("id"), "Undertow resumes the same session");
            assertEquals("false", onUndertow.get("new"));
            assertEquals("[apple, pear-in-place]", onUndertow.get("attr.cart"));
            assertEquals("2", onUndertow.get("attr.visits"), "the change made on Jetty arrived");
            assertEquals(onTomcat.get("created"), onUndertow.get("created"));

            List<String> keys = new java.util.ArrayList<>(memcached.keys());
            keys.remove(barrierKey);
            assertEquals(List.of(key(cookie)), keys, "one session, one key");
            for (String k : keys) {
                assertFalse(k.contains(".tomcatA") || k.contains(".node"), "no route in keys: " + k);
            }
        }
    }
}
