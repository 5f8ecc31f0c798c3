package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sticky mode with routes (Tomcat's jvmRoute, or the {@code route} option): the session id carries the route
 * of the server that holds it, which a load balancer sticks to. After a failover the id's route becomes the
 * survivor's (a new cookie, the same Memcached key), so the user stays there; a server that held the session
 * before never serves its old copy once another server has written a newer one.
 */
abstract class AbstractStickyRouteIT extends FaultTest {

    /** Servers show the id with (Tomcat) or without (Jetty) the route; the cookie always has it. */
    private static String stripRoute(String id) {
        return io.sessionmirror.agent.core.SessionKeys.stripRoute(id);
    }

    /** Starts a server of the family under test whose session ids carry {@code route}. */
    protected abstract ServerProcess launch(String name, int port, String options, String route) throws Exception;

    private ServerProcess server(String name, String options, String route) throws Exception {
        return started(launch(name, Memcached.freePort(), options, route)).awaitReady("/shop/stats", READY);
    }

    @Test
    void failoverMovesTheRouteToTheSurvivorAndAnOldCopyIsNeverServed() throws Exception {
        Memcached memcached = node();
        String options = nodesOption(List.of(memcached));
        ServerProcess a = server("routeA", options, "a");
        ServerProcess b = server("routeB", options, "b");

        Browser user = new Browser();
        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        String onA = user.sessionId();
        assertTrue(onA.endsWith(".a"), "the route is in the id: " + onA);
        String base = onA.substring(0, onA.length() - 2);
        memcached.await(key(onA), Memcached.containsAll("apple"), java.time.Duration.ofSeconds(10));

        // A dies; the balancer sends the user to B with the old cookie.
        a.kill9();
        Map<String, String> failover = user.get(b.url("/shop/cart/add?item=pear&format=text"));
        assertEquals("routeB", failover.get("server"));
        assertEquals(base + ".b", user.sessionId(), "the survivor sent a new cookie with its own route");
        assertEquals(base, stripRoute(failover.get("id")), "the same session");
        assertEquals("[apple, pear]", failover.get("attr.cart"));
        assertEquals("1", failover.get("cartActivations"));
        // The next requests carry B's route: the balancer keeps the user on B, where the session now lives.
        Map<String, String> next = user.get(b.url("/shop/session"));
        assertEquals(base + ".b", user.sessionId());
        assertEquals("1", next.get("cartActivations"), "served from B's memory, not restored again");

        // A restarts empty; a request that lands there gets the newest copy and A's route.
        ServerProcess a2 = server("routeA2", options, "a");
        memcached.await(key(onA), Memcached.containsAll("pear"), java.time.Duration.ofSeconds(10));
        Map<String, String> onA2 = user.get(a2.url("/shop/session"));
        assertEquals("[apple, pear]", onA2.get("attr.cart"));
        assertEquals(base + ".a", user.sessionId());

        // A server that kept its copy while the user was elsewhere (a network partition, not a crash):
        Browser second = new Browser();
        second.get(a2.url("/shop/cart/add?item=bread&format=text"));
        String second0 = second.sessionId();
        String secondBase = second0.substring(0, second0.length() - 2);
        memcached.await(key(second0), Memcached.containsAll("bread"), java.time.Duration.ofSeconds(10));
        // ... the balancer moved the user to B, who changed the session there,
        Map<String, String> movedToB = second.get(b.url("/shop/cart/add?item=milk&format=text"));
        assertEquals(secondBase + ".b", second.sessionId());
        memcached.await(key(second0), Memcached.containsAll("milk"), java.time.Duration.ofSeconds(10));
        // ... and back to A, which still holds its old copy (bread only): A must serve the newer one.
        Map<String, String> backOnA = second.get(a2.url("/shop/session"));
        assertEquals("routeA2", backOnA.get("server"));
        assertEquals("[bread, milk]", backOnA.get("attr.cart"), "A served its stale copy");
        assertEquals(secondBase, stripRoute(backOnA.get("id")));
        assertEquals(secondBase + ".a", second.sessionId());
    }
}
