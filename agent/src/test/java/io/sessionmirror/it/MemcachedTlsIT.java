package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.MemcachedStore;
import io.sessionmirror.agent.store.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store over TLS against memcached started with {@code -Z} and certificates made for the test: reads, writes,
 * touches and locks; a wrong CA, a certificate for another host name and a missing client certificate each keep
 * the node down (calls fail within the timeout, nothing hangs) and {@code check} says which; host name
 * verification off and a client certificate let the same connections through.
 */
class MemcachedTlsIT extends FaultTest {

    @Override
    public String[] backendLabel() {
        return new String[] {"Memcached", "over TLS (memcached -Z)", Backend.memcachedVersion()};
    }

    /** The store alone: no server runs here. */
    @Override
    public String serversRun() {
        return "";
    }

    private static final SessionCodec CODEC = new SessionCodec(null, -1, new FstSerializer());
    private static final int TIMEOUT_MS = 1000; // the default: the first handshake in a JVM takes some of it

    private TestCertificates certs;

    @BeforeEach
    void certificates() throws Exception {
        certs = TestCertificates.create();
    }

    @AfterEach
    void removeCertificates() throws Exception {
        certs.close();
    }

    private static byte[] copy(long version) throws Exception {
        return CODEC.encode(new SessionData("id", 1L, 1800, null, null, Map.of("visits", 1)),
                MemcachedTlsIT.class.getClassLoader(), version, "").payload;
    }

    /** A store configured exactly as the agent would be by these options. */
    private static MemcachedStore store(String options) {
        MirrorConfig c = MirrorConfig.load(options, new Properties(), Map.of());
        return new MemcachedStore(c.nodes(), TIMEOUT_MS, c.replicas(), new Counters(), c.username(), c.password(),
                StoredCopyOrder.INSTANCE, c.tls());
    }

    private String trusting(Path ca) {
        return ",tls=true,tls.ca=" + ca;
    }

    /**
     * Whether a working store reads back what it wrote. The first TLS handshake of a JVM can take longer than the
     * timeout on a busy machine; the store's prober starts it at once (in a server, at start-up), so a first call
     * may fail: wait for the node to have answered a probe, as a server's first request would find it.
     */
    private static void assertWorks(MemcachedStore store, Memcached node, String key) throws Exception {
        awaitAnswered(store);
        store.set(key, copy(1), 60);
        assertEquals(1, SessionCodec.versionOf(store.get(key)));
        assertEquals(1, version(node.get(key)), "stored in memcached (read on its plain-text port)");
    }

    private static void awaitAnswered(MemcachedStore store) throws Exception {
        Poll.until("the node answering over TLS", Duration.ofSeconds(20), () -> {
            try {
                store.get("sm:_:/:FIRST");
                return true;
            } catch (StoreException notYet) {
                return false;
            }
        });
    }

    /** Calls fail, within the timeout, and the node is reported down; nothing else breaks. */
    private static void assertStaysDown(MemcachedStore store, Memcached node) throws Exception {
        long t0 = System.nanoTime();
        StoreException e = assertThrows(StoreException.class, () -> store.set("sm:_:/:DOWN", copy(1), 60));
        assertTrue(e.getMessage().contains(node.address()), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofMillis(4L * TIMEOUT_MS).toNanos(), "bounded by the timeout");
        Poll.until("the node reported down", Duration.ofSeconds(20),
                () -> store.nodesDown().toString().contains(node.address()));
        long t1 = System.nanoTime();
        assertThrows(StoreException.class, () -> store.get("sm:_:/:DOWN"));
        assertTrue(System.nanoTime() - t1 < Duration.ofMillis(TIMEOUT_MS).toNanos(), "a down node is skipped at once");
        assertNull(node.get("sm:_:/:DOWN"), "nothing reached memcached");
    }

    private static String check(String options) throws Exception {
        AgentCli c = AgentCli.run("check", options);
        return c.exit + " " + c.out + c.err;
    }

    @Test
    void readsWritesTouchesAndLocksGoOverTls() throws Exception {
        Memcached m = node(Memcached.startWithTls(certs, certs.serverCert, certs.serverKey, false));
        String options = "nodes=" + m.address() + trusting(certs.ca);
        try (MemcachedStore store = store(options)) {
            String key = "sm:_:/shop:TLS";
            assertWorks(store, m, key);
            assertTrue(store.touch(key, 120));
            assertTrue(store.tryLock("sm:lock:TLS", "token-a", 10));
            assertFalse(store.tryLock("sm:lock:TLS", "token-b", 10), "held by the other token");
            assertTrue(store.renewLock("sm:lock:TLS", "token-a", 10));
            assertTrue(store.unlock("sm:lock:TLS", "token-a"));
            store.delete(key);
            assertNull(m.get(key));
            assertTrue(store.nodesDown().isEmpty());
        }
        // Without TLS the same port does not serve the store: the test above did go through TLS.
        try (MemcachedStore plain = store("nodes=" + m.address())) {
            assertStaysDown(plain, m);
        }
        String ok = check(options);
        assertTrue(ok.startsWith("0 ") && ok.contains("memcached " + m.address() + ": VERSION 1."), ok);
    }

    @Test
    void aWrongCaKeepsTheNodeDownAndCheckSaysWhy() throws Exception {
        Memcached m = node(Memcached.startWithTls(certs, certs.serverCert, certs.serverKey, false));
        String options = "nodes=" + m.address() + trusting(certs.wrongCa);
        try (MemcachedStore store = store(options)) {
            assertStaysDown(store, m);
        }
        String out = check(options);
        assertTrue(out.startsWith("1 ") && out.contains("not reachable over TLS: the server's certificate is not signed"
                + " by a CA in tls.ca"), out);
    }

    @Test
    void hostNamesAreVerifiedUnlessTurnedOff() throws Exception {
        Memcached m = node(Memcached.startWithTls(certs, certs.otherNameCert, certs.otherNameKey, false));
        String options = "nodes=" + m.address() + trusting(certs.ca);
        try (MemcachedStore store = store(options)) {
            assertStaysDown(store, m);
        }
        String out = check(options);
        assertTrue(out.startsWith("1 ") && out.contains("is not for the host name or address in 'nodes'"), out);
        try (MemcachedStore store = store(options + ",tls.verify.hostname=false")) {
            assertWorks(store, m, "sm:_:/shop:ANYNAME");
        }
    }

    @Test
    void aServerThatWantsClientCertificatesServesOnlyAStoreThatHasOne() throws Exception {
        Memcached m = node(Memcached.startWithTls(certs, certs.serverCert, certs.serverKey, true));
        String without = "nodes=" + m.address() + trusting(certs.ca);
        try (MemcachedStore store = store(without)) {
            assertStaysDown(store, m);
        }
        String out = check(without);
        assertTrue(out.startsWith("1 ") && out.contains("the server wants a client certificate"), out);
        String with = without + ",tls.cert=" + certs.clientCert + ",tls.key=" + certs.clientKey;
        try (MemcachedStore store = store(with)) {
            assertWorks(store, m, "sm:_:/shop:CLIENTCERT");
        }
        assertTrue(check(with).startsWith("0 "), check(with));
    }
}
