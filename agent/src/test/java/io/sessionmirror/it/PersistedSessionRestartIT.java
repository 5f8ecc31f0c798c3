package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Tomcat that restarts with its own persisted sessions (StandardManager's SESSIONS.ser: on by default in
 * Tomcat 9, a one-line {@code <Manager pathname="SESSIONS.ser"/>} in later ones) while another server carried the session on meanwhile. Before, the
 * restarted server served its own old copy (visits=4 after 6 were acknowledged) and overwrote the newer one
 * in Memcached. Now a session the agent has not seen is checked against its stored copy before it is used,
 * and a write never replaces a newer copy.
 */
class PersistedSessionRestartIT extends FaultTest {

    @Test
    void aRestartedServerTakesTheNewerStoredCopyOverItsOwnPersistedOne() throws Exception {
        Memcached memcached = node();
        String options = nodesOption(List.of(memcached)) + ",write=sync";
        Path base = Files.createTempDirectory("tomcat-persisting-");
        // Tomcat 10.1.62 no longer persists by default; users turn it on like this (Tomcat 9 did by default).
        Path contextXml = base.resolve("context.xml");
        Files.writeString(contextXml, "<Context><Manager pathname=\"SESSIONS.ser\"/></Context>");
        String[] launcher = {"--base", base.toString(), "--context-xml", contextXml.toString()};
        ServerProcess a = tomcat("persistA", options, launcher);
        Browser user = new Browser();
        for (int i = 0; i < 3; i++) {
            user.get(a.url("/shop/counter?format=text"));
        }
        a.stop(); // SIGTERM: Tomcat writes SESSIONS.ser; the agent keeps the stored copy
        assertTrue(Files.walk(base).anyMatch(p -> p.getFileName().toString().equals("SESSIONS.ser")),
                "Tomcat persisted its sessions (the premise of this test)");

        ServerProcess b = tomcat("persistB", options);
        Map<String, String> last = null;
        for (int i = 0; i < 3; i++) {
            last = user.get(b.url("/shop/counter?format=text"));
        }
        assertEquals("6", last.get("attr.visits"), "B carried the session on: visits 4 to 6 acknowledged");
        b.kill9();

        ServerProcess again = tomcat("persistA2", options, launcher);
        Map<String, String> seen = user.get(again.url("/shop/counter?format=text"));
        assertEquals("7", seen.get("attr.visits"), "the restarted server continued from the newest copy, not its own");
        ServerProcess fresh = tomcat("persistC", options);
        assertEquals("7", user.get(fresh.url("/shop/session")).get("attr.visits"),
                "Memcached holds the newest version, not the restarted server's old one");
    }
}
