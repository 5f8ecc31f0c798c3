package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.SessionKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Jetty 12.1 (ee10) with its own persistent session store: a {@code FileSessionDataStore}, and a cache that
 * evicts every session when its request ends, so each request reloads it from that store. The scenario of
 * Jetty's own {@code IdleSessionTest#testSessionIdle} / {@code #testNullSessionCache}, with the agent loaded:
 * eviction and reload from the store are Jetty's business, and a session the store no longer has (deleted
 * while evicted) stays gone: the agent does not bring it back from Memcached.
 */
class JettyOwnSessionStoreIT extends ServerTest {

    private static final String LINE = "jetty-12.1-ee10";

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(LINE), "jetty-server"), "ee10"};
    }

    private ServerProcess start(String name, Path store) throws Exception {
        return started(Servers.jetty(LINE, "ee10", name, Memcached.freePort(), "nodes=" + memcached.address(),
                List.of("--file-sessions", store.toString()))).awaitReady("/shop/stats", READY);
    }

    /** The store's files of one session (Jetty names them {@code <expiry>_<context>_<vhost>_<id>}). */
    private static List<Path> storedFiles(Path store, String id) throws Exception {
        String plain = SessionKeys.stripRoute(id);
        try (Stream<Path> files = Files.list(store)) {
            return files.filter(f -> f.getFileName().toString().endsWith("_" + plain)).collect(Collectors.toList());
        }
    }

    @Test
    void aSessionDeletedFromJettysOwnStoreIsNotBroughtBackFromMemcached() throws Exception {
        Path store = Servers.workDir("jetty-file-sessions");
        ServerProcess a = start("A", store);
        Browser user = new Browser();

        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        String id = user.sessionId();
        assertFalse(storedFiles(store, id).isEmpty(), "evicted after the request: in Jetty's own store");
        // Evicted and reloaded from Jetty's store on every request: the agent leaves that alone.
        Map<String, String> reloaded = user.get(a.url("/shop/cart/add?item=pear&format=text"));
        assertEquals("[apple, pear]", reloaded.get("attr.cart"));
        assertEquals("false", reloaded.get("new"));
        memcached.await(key("/shop", id), containsAll("apple", "pear"), STORED); // and it is mirrored

        // While evicted, the session leaves the server's store (IdleSessionTest clears its map; a sweeper,
        // another node sharing the store or an operator does it for real).
        for (Path f : storedFiles(store, id)) {
            Files.delete(f);
        }
        assertEquals("none", user.get(a.url("/shop/session")).get("session"),
                "the server's store no longer has the session: it is not restored from Memcached");
        assertTrue(a.log().contains("never restores one into it"), "the agent says once why it does not restore");
    }

    @Test
    void aSessionThatExpiredInJettysOwnStoreEndsOnce() throws Exception {
        Path store = Servers.workDir("jetty-file-sessions");
        ServerProcess a = start("A", store);
        Browser user = new Browser();

        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        user.get(a.url("/shop/timeout?seconds=1&format=text"));
        long lastRequest = System.currentTimeMillis();
        String id = user.sessionId();
        memcached.await(key("/shop", id), containsAll("apple"), STORED);
        // Past its timeout while evicted, before a scavenger run (IdleSessionTest's second half): the clock is the
        // condition waited for.
        while (System.currentTimeMillis() < lastRequest + 1500) {
            Thread.sleep(50);
        }
        assertEquals("none", user.get(a.url("/shop/session")).get("session"), "Jetty expires it as it loads it");
        assertEquals("1", user.get(a.url("/shop/stats")).get("destroyed"), "one session-destroyed event");
        assertEquals("none", user.get(a.url("/shop/session")).get("session"), "and it stays ended");
        assertTrue(storedFiles(store, id).isEmpty(), "Jetty deleted it from its store");
    }
}
