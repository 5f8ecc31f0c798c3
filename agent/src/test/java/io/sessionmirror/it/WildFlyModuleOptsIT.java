package io.sessionmirror.it;

import static io.sessionmirror.it.AbstractFailoverIT.assertSameSession;
import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent in {@code MODULE_OPTS} (WildFly's documented place for a Java agent: JBoss Modules loads it) rather
 * than {@code JAVA_OPTS}: sessions are mirrored under the context path, and resume on a second instance.
 */
class WildFlyModuleOptsIT extends ServerTest {

    private ServerProcess start(String name) throws Exception {
        return started(WildFly.launch(name, name, Memcached.freePort(), backend.agentOptions(), WildFly.AgentIn.MODULE_OPTS))
                .awaitReady("/shop/stats", READY);
    }

    @Test
    void withTheAgentInModuleOptsASessionIsMirroredUnderTheContextPathAndResumesOnAnotherInstance() throws Exception {
        ServerProcess a = start("modA");
        ServerProcess b = start("modB");
        Browser user = new Browser();
        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        Map<String, String> onA = user.get(a.url("/shop/counter?format=text"));
        String cookie = user.sessionId();
        assertTrue(cookie.endsWith(".modA"), "WildFly's cookie carries its instance-id: " + cookie);
        backend.await(key("/shop", onA.get("id")), containsAll("apple", "visits"), STORED);

        a.kill9();
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertEquals("modB", onB.get("server"));
        assertSameSession(cookie, onB.get("id"), "the same session");
        assertEquals("false", onB.get("new"));
        assertEquals("[apple]", onB.get("attr.cart"));
        assertEquals("1", onB.get("attr.visits"));
        assertEquals("1", onB.get("cartActivations"));
        assertEquals(onA.get("id") + ".modB", user.sessionId(), "the cookie now carries the survivor's route");
    }

    @Override
    public String[] serverLabel() {
        return WildFly.label();
    }
}
