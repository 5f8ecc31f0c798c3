package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * On WildFly the agent logs through the server's logging, not through a stderr the server captures: started as
 * its users start it ({@link WildFly}, one JAVA_OPTS line in standalone.conf), WildFly boots (the agent never
 * starts java.util.logging before JBoss Modules names its log manager), its log shows the agent's lines as
 * {@code INFO [session-mirror]} and none as {@code [stderr]}, and the line naming the web app mirrored is among them.
 */
class WildFlyServerLogIT extends ServerTest {

    @Test
    void theAgentLogsThroughWildFlysLoggingNotThroughCapturedStderr() throws Exception {
        ServerProcess server = started(WildFly.launch("logA", "logA", Memcached.freePort(), backend.agentOptions(),
                WildFly.AgentIn.JAVA_OPTS)).awaitReady("/shop/stats", READY);
        Browser user = new Browser();
        assertEquals("[apple]", user.get(server.url("/shop/cart/add?item=apple&format=text")).get("attr.cart"),
                "the shop answers");
        // WildFly's console handler prints what server.log gets, in the same layout.
        String log = server.awaitLog("Session Mirror mirrors Undertow", Duration.ofSeconds(30));
        List<String> lines = List.of(log.split("\n"));
        List<String> agentLines = lines.stream().filter(l -> l.contains("[session-mirror]")).collect(Collectors.toList());
        List<String> captured = lines.stream().filter(l -> l.contains("[stderr]") && (l.contains("session-mirror")
                || l.contains("Session Mirror") || l.contains("io.sessionmirror"))).collect(Collectors.toList());
        assertTrue(log.contains("WFLYSRV0025"), "WildFly booted with the agent");
        assertTrue(agentLines.stream().anyMatch(l -> l.contains(" INFO  [session-mirror]")
                && l.contains("Session Mirror mirrors Undertow") && l.contains("/shop") && l.contains(" in WildFly 39.")),
                String.join("\n", agentLines));
        assertEquals(List.of(), captured, "no agent line through WildFly's captured stderr");
    }

    @Override
    public String[] serverLabel() {
        return WildFly.label();
    }
}
