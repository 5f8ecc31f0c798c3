package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tomcat's {@code TestPersistentManager#testBug62175} on a real embedded Tomcat 10.1 with the agent: a request
 * names a session whose stored copy in the {@code PersistentManager}'s Store has timed out. Tomcat must read the
 * Store once, expire the session once, and give the request no session; the agent must not read the Store a
 * second time (its own lookup of the in-memory sessions going through the virtual {@code findSession}, which swaps
 * in from the Store) nor bring the session back from Memcached.
 * <p>
 * The Store is {@code RetainingFileStore}: like upstream's mock it hands back the same timed-out session on every
 * load (a plain FileStore deletes it after the first, which hides a second read), and it prints one line per load.
 */
class TomcatStoreReadOnceIT extends ServerTest {

    private static final int TIMEOUT_SECONDS = 4;

    @Override
    public String[] serverLabel() {
        return new String[] {"Tomcat (embedded)", Servers.TOMCAT10, ""};
    }

    /**
     * A context.xml with Tomcat's PersistentManager and a RetainingFileStore in {@code store}. The web app has no
     * login config, so Tomcat would install a NonLoginAuthenticator caching principals in the session: that valve
     * looks the requested session up before the servlet does, and with a Store that keeps the timed-out session,
     * each lookup loads and expires it again (Tomcat's doing, with or without the agent). Declaring the
     * authenticator with {@code cache="false"} leaves one lookup per request, the servlet's, so that every further
     * load is one the agent caused.
     */
    private static Path contextXml(Path store) throws Exception {
        Path xml = store.resolveSibling(store.getFileName() + "-context.xml");
        Files.write(xml, ("<Context>\n"
                + "  <Valve className=\"org.apache.catalina.authenticator.NonLoginAuthenticator\" cache=\"false\"/>\n"
                + "  <Manager className=\"org.apache.catalina.session.PersistentManager\">\n"
                + "    <Store className=\"io.sessionmirror.demo.launcher.RetainingFileStore\" directory=\"" + store + "\"/>\n"
                + "  </Manager>\n"
                + "</Context>\n").getBytes(StandardCharsets.UTF_8));
        return xml;
    }

    /** {@code agentOptions} null: without the agent. */
    private ServerProcess start(String name, Path store, String agentOptions) throws Exception {
        return started(Servers.embeddedTomcat(Servers.TOMCAT10, name, Memcached.freePort(), agentOptions,
                List.of("--context-xml", contextXml(store).toString()))).awaitReady("/shop/stats", READY);
    }

    private static long count(String text, String of) {
        long n = 0;
        for (int at = text.indexOf(of); at >= 0; at = text.indexOf(of, at + of.length())) {
            n++;
        }
        return n;
    }

    /** What the request with the expired id saw: its session, the Store loads of that id, sessionDestroyed calls. */
    private static final class Outcome {
        final String session;
        final long loads;
        final String destroyed;
        final String log;

        Outcome(String session, long loads, String destroyed, String log) {
            this.session = session;
            this.loads = loads;
            this.destroyed = destroyed;
            this.log = log;
        }

        @Override
        public String toString() {
            return "session=" + session + " loads=" + loads + " destroyed=" + destroyed;
        }
    }

    /**
     * A session with a short timeout saved in the Store by a graceful stop of a first server (with the agent, or
     * without it: a session the agent never saw), then asked for on a second server once it has timed out.
     */
    private Outcome requestTimedOutStoredSession(boolean agentOnFirstServer) throws Exception {
        Path store = Servers.workDir("tomcat-retaining-store");
        String withAgent = "nodes=" + memcached.address();
        ServerProcess a = start("A", store, agentOnFirstServer ? withAgent : null);
        Browser user = new Browser();
        user.get(a.url("/shop/timeout?seconds=" + TIMEOUT_SECONDS + "&format=text"));
        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        long lastRequest = System.currentTimeMillis();
        String id = user.sessionId();
        if (agentOnFirstServer) {
            String key = key("/shop", id);
            byte[] mirrored = memcached.await(key, containsAll("apple"), STORED);
            // The agent's copy may expire with the session; keep it well past the request below, so that a
            // session brought back from Memcached would show (the copy is there to be restored, and must not be).
            memcached.set(key, mirrored, 300);
        }
        // A graceful stop swaps every session out to the Store.
        a.stop();
        assertTrue(Files.exists(store.resolve(id + ".session")), "Tomcat saved the session in its Store");

        ServerProcess again = start("A2", store, withAgent);
        // The clock is the condition: the session must be past its timeout (Tomcat counts whole seconds).
        while (System.currentTimeMillis() < lastRequest + TIMEOUT_SECONDS * 1000L + 500) {
            Thread.sleep(50);
        }
        Map<String, String> page = user.get(again.url("/shop/session"));
        String session = page.getOrDefault("session", "id=" + page.get("id")); // "none", or the session it got
        // Loads happen on the request's thread, before its response: the log has them all by now.
        String log = again.awaitLog("STORE-LOAD " + id, Duration.ofSeconds(10));
        // Another browser (no cookie) reads the counters, so that reading them loads nothing.
        String destroyed = new Browser().get(again.url("/shop/stats")).get("destroyed");
        Outcome outcome = new Outcome(session, count(log, "STORE-LOAD " + id), destroyed, log);
        System.out.println(getClass().getSimpleName() + " (agent on the first server: " + agentOnFirstServer + "): "
                + outcome);
        assertEquals(outcome.loads, count(again.log(), "STORE-LOAD " + id), "nothing else read the Store");
        return outcome;
    }

    private static void assertReadOnceExpiredOnceNotRestored(Outcome outcome) {
        assertAll(outcome + ", server log:\n" + outcome.log,
                () -> assertEquals("none", outcome.session, "the session the Store expired is not restored from Memcached"),
                () -> assertEquals(1, outcome.loads, "the Store is read once for the request"),
                () -> assertEquals("1", outcome.destroyed, "sessionDestroyed fired once"));
    }

    /**
     * Upstream's case: nothing in Memcached, so the agent's lookup after the Store's finds nothing either. With the
     * Tomcat advice of c5dbb18 the Store was read twice and the session expired twice (loads=2 destroyed=2).
     */
    @Test
    void aTimedOutStoredSessionTheAgentNeverSawIsReadOnceAndExpiredOnce() throws Exception {
        assertReadOnceExpiredOnceNotRestored(requestTimedOutStoredSession(false));
    }

    /**
     * With a mirrored copy still in Memcached: the session the Store expired stays ended. With the Tomcat advice of
     * c5dbb18 the agent's lookup ran before the Store's and restored the copy (loads=1 destroyed=1, a session).
     */
    @Test
    void aTimedOutStoredSessionWithAMirroredCopyIsReadOnceAndNotRestored() throws Exception {
        assertReadOnceExpiredOnceNotRestored(requestTimedOutStoredSession(true));
    }
}
