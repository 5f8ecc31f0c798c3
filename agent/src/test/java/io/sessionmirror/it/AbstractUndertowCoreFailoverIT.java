package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Undertow without servlets: an application on undertow-core's own session API ({@code UndertowCoreShop}),
 * subclassed per undertow-core line. The agent hooks only undertow-core's {@code InMemorySessionManager},
 * so this is what shows it works where the servlet layer is absent (and on 2.4, whose servlet module is
 * not served here).
 */
abstract class AbstractUndertowCoreFailoverIT extends ServerTest {

    /** demo-apps/servers module of the undertow-core line. */
    protected abstract String line();

    @Override
    public String[] serverLabel() {
        return new String[] {"Undertow (core only, no servlets)", Servers.versionOf(Servers.serverLib(line()), "undertow-core"), ""};
    }

    private ServerProcess start(String name) throws Exception {
        return started(Servers.undertowCore(line(), name, Memcached.freePort(), "nodes=" + memcached.address()))
                .awaitReady("/shop/stats", READY);
    }

    @Test
    @Tag(ServerTest.EVERY_JDK)
    void aCoreSessionResumesOnAnotherServerAndInvalidateDeletesIt() throws Exception {
        ServerProcess a = start("A");
        ServerProcess b = start("B");
        Browser user = new Browser();
        user.get(a.url("/shop/cart/add?item=apple"));
        user.get(a.url("/shop/cart/add?item=pear-in-place"));
        Map<String, String> onA = user.get(a.url("/shop/counter"));
        String id = user.sessionId();
        assertNotNull(id);
        assertEquals("[apple, pear-in-place]", onA.get("attr.cart"));
        memcached.await(key("/shop", id), containsAll("pear-in-place", "visits"), STORED);

        a.kill9();
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertEquals("B", onB.get("server"));
        assertEquals(id, onB.get("id"), "same session id after failover");
        assertEquals("[apple, pear-in-place]", onB.get("attr.cart"));
        assertEquals("1", onB.get("attr.visits"));
        assertEquals(onA.get("created"), onB.get("created"), "creation time kept");
        assertEquals("1800", onB.get("maxInactive"));
        assertEquals("0", user.get(b.url("/shop/stats")).get("created"), "restoring fires no session-created event");

        assertEquals("2", user.get(b.url("/shop/counter")).get("attr.visits"));
        assertEquals(id, user.sessionId());
        assertEquals("none", user.get(b.url("/shop/logout")).get("session"));
        memcached.await(key("/shop", id), io.sessionmirror.agent.codec.StoredCopy::isTombstone, STORED);
    }
}
