package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sessionmirror.agent.core.SessionKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Payara with a {@code jvmRoute} (GlassFish's documented way to route, {@code -DjvmRoute=...}, which the fork's
 * Engine reads): the fork puts the route in the cookie ({@code <id>.<route>}) but never in the session's own id,
 * and its request strips it before the lookup; so a failover must restore the session under the id looked up,
 * not under {@code <id>.<route>}, where no request would ever find it.
 */
class PayaraMicroJvmRouteIT extends FaultTest {

    /** Payara Micro 6 with {@code -DjvmRoute=<last letter of the instance's name>}. */
    private static final class RoutedPayara extends PayaraMicro6FailoverIT {
        @Override
        protected List<String> jvmOptions(String name) {
            return List.of("-DjvmRoute=payara" + name.substring(name.length() - 1));
        }
    }

    private final RoutedPayara payara = new RoutedPayara();

    @Override
    public String serversRun() {
        return "Payara Micro 6";
    }

    @Test
    void aSessionFailsOverBetweenPayarasThatHaveJvmRoutes() throws Exception {
        int jdk = Servers.serverJdk();
        assumeTrue(jdk >= payara.jdks()[0] && jdk <= payara.jdks()[1], "Payara Micro 6 does not run on JDK " + jdk);
        Memcached memcached = node();
        String options = nodesOption(List.of(memcached));
        ServerProcess a = started(payara.launch("routeA", Memcached.freePort(), options));
        ServerProcess b = started(payara.launch("routeB", Memcached.freePort(), options));

        Browser user = new Browser();
        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        String id = user.sessionId();
        memcached.await(key(id), Memcached.containsAll("apple"), Duration.ofSeconds(10));

        a.kill9();
        Map<String, String> failover = user.get(b.url("/shop/cart/add?item=pear&format=text"));
        assertEquals("routeB", failover.get("server"));
        assertEquals("[apple, pear]", failover.get("attr.cart"), "the session failed over with its cart");
        // The cookie is <id>.<jvmRoute>; the session's own id is <id>, on A as on B.
        assertEquals(SessionKeys.stripRoute(id), failover.get("id"), "the same session id");
        Map<String, String> next = user.get(b.url("/shop/session"));
        assertEquals("[apple, pear]", next.get("attr.cart"));
        assertEquals("1", next.get("cartActivations"), "served from B's memory, not restored again");
    }
}
