package io.sessionmirror.it;

import static io.sessionmirror.it.AbstractFailoverIT.assertSameSession;
import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The agent in {@code MODULE_OPTS} (WildFly's documented place for a Java agent: JBoss Modules loads it) rather
 * than {@code JAVA_OPTS}: sessions are mirrored under the context path, and resume on a second instance. And the
 * agent logs through WildFly's logging, not through the stderr WildFly captures: WildFly boots (the agent never
 * starts java.util.logging before JBoss Modules names its log manager), and its log shows the agent's lines as
 * {@code INFO [session-mirror]}, none as {@code [stderr]}.
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

        // WildFly's console handler prints what server.log gets, in the same layout.
        String log = b.awaitLog("Session Mirror mirrors Undertow", Duration.ofSeconds(30));
        List<String> lines = List.of(log.split("\n"));
        List<String> agentLines = lines.stream().filter(l -> l.contains("[session-mirror]")).collect(Collectors.toList());
        List<String> captured = lines.stream().filter(l -> l.contains("[stderr]") && (l.contains("session-mirror")
                || l.contains("Session Mirror") || l.contains("io.sessionmirror"))).collect(Collectors.toList());
        assertTrue(agentLines.stream().anyMatch(l -> l.contains(" INFO  [session-mirror]")
                && l.contains("Session Mirror mirrors Undertow") && l.contains("/shop") && l.contains(" in WildFly 39.")),
                String.join("\n", agentLines));
        assertTrue(agentLines.stream().anyMatch(l -> l.contains("Restored session")), String.join("\n", agentLines));
        assertEquals(List.of(), captured, "no agent line through WildFly's captured stderr");
    }

    @Override
    public String[] serverLabel() {
        return WildFly.label();
    }
}
