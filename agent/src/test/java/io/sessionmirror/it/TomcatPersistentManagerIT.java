package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tomcat 10.1 with a {@code PersistentManager} and a {@code FileStore}: Tomcat's own persistence. Replays
 * Tomcat's {@code TestPersistentManager#testBug62175} (a requested id whose stored session has timed out:
 * Tomcat expires it exactly once, and the request gets no session) with the agent loaded, and checks that
 * Memcached is asked only after Tomcat's Store, so that a session the Store expired is not brought back.
 */
class TomcatPersistentManagerIT extends ServerTest {

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT10, ""};
    }

    /** A context.xml with Tomcat's PersistentManager and a FileStore in {@code store}. */
    private static Path contextXml(Path store) throws Exception {
        Path xml = store.resolveSibling(store.getFileName() + "-context.xml");
        Files.write(xml, ("<Context>\n"
                + "  <Manager className=\"org.apache.catalina.session.PersistentManager\">\n"
                + "    <Store className=\"org.apache.catalina.session.FileStore\" directory=\"" + store + "\"/>\n"
                + "  </Manager>\n"
                + "</Context>\n").getBytes(StandardCharsets.UTF_8));
        return xml;
    }

    private ServerProcess start(String name, Path store) throws Exception {
        return started(Servers.embeddedTomcat(Servers.TOMCAT10, name, Memcached.freePort(), "nodes=" + memcached.address(),
                List.of("--context-xml", contextXml(store).toString()))).awaitReady("/shop/stats", READY);
    }

    @Test
    void aSessionTheStoreExpiredEndsOnceAndIsNotBroughtBackFromMemcached() throws Exception {
        Path store = Servers.workDir("tomcat-file-store");
        ServerProcess a = start("A", store);
        Browser user = new Browser();
        user.get(a.url("/shop/timeout?seconds=4&format=text"));
        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        long lastRequest = System.currentTimeMillis();
        String id = user.sessionId();
        String key = key("/shop", id);
        byte[] mirrored = memcached.await(key, containsAll("apple"), STORED);
        // The stored copy outlives the session by up to a touch interval (and Memcached's clock is coarse). Widen
        // that window so the test does not depend on timing: the copy is still there when Tomcat's Store expires it.
        memcached.set(key, mirrored, 300);

        // A graceful stop swaps every session out to the FileStore; the agent keeps the mirrored copy.
        a.stop();
        assertTrue(Files.exists(store.resolve(id + ".session")), "Tomcat saved the session in its Store");

        ServerProcess again = start("A2", store);
        // The clock is the condition: the session must be past its 4 s timeout (Tomcat counts whole seconds).
        while (System.currentTimeMillis() < lastRequest + 4_500) {
            Thread.sleep(50);
        }
        // Tomcat's findSession swaps it in from the Store, finds it timed out and expires it.
        assertEquals("none", user.get(again.url("/shop/session")).get("session"),
                "the session the Store expired is not restored from Memcached");
        assertEquals("1", user.get(again.url("/shop/stats")).get("destroyed"), "expired exactly once");
        assertEquals("none", user.get(again.url("/shop/session")).get("session"), "and it stays ended");
        assertEquals("1", user.get(again.url("/shop/stats")).get("destroyed"), "still once");
        assertTrue(!Files.exists(store.resolve(id + ".session")), "Tomcat removed it from its Store");
    }

    @Test
    void aSessionTheStoreNeverHadIsRestoredFromMemcached() throws Exception {
        ServerProcess a = start("A", Servers.workDir("tomcat-file-store"));
        Browser user = new Browser();
        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        memcached.await(key("/shop", user.sessionId()), containsAll("apple"), STORED);
        a.kill9();

        // Another server, with its own (empty) Store: Tomcat asks it first, then the agent asks Memcached.
        ServerProcess b = start("B", Servers.workDir("tomcat-file-store"));
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertEquals("[apple]", onB.get("attr.cart"), "failover through Memcached still works");
        assertEquals("false", onB.get("new"));
        assertEquals("0", user.get(b.url("/shop/stats")).get("destroyed"));
    }
}
