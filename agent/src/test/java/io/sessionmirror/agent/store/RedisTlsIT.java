package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.redis.RedisStore;
import io.sessionmirror.it.CompatibilityRecorder;
import io.sessionmirror.it.Memcached;
import io.sessionmirror.it.Redis;
import io.sessionmirror.it.TestCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis store over TLS (redis-server --tls-port, certificates made by the test): the tls.* options decide what
 * is trusted, host names are checked unless turned off, a client certificate goes along when the server wants one.
 * The redis-server keeps a plain port too, for the test's own inspection.
 */
@ExtendWith(CompatibilityRecorder.class)
class RedisTlsIT implements CompatibilityRecorder.BackendUnderTest {

    private static final long TIMEOUT_MS = 3000;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    @AfterAll
    static void dropCertificates() throws Exception {
        certs.close();
    }

    @Override
    public String[] backendLabel() {
        return new String[] {"Redis", "standalone over TLS (rediss://)", Redis.installedVersion()};
    }

    /** A redis-server with a TLS port (returned in {@code tlsPort[0]}) beside its plain one. */
    private static Redis tlsRedis(Path cert, Path key, boolean clientCertificates, int[] tlsPort) throws Exception {
        tlsPort[0] = Memcached.freePort();
        List<String> args = new ArrayList<>(List.of("--tls-port", String.valueOf(tlsPort[0]), "--tls-cert-file",
                cert.toString(), "--tls-key-file", key.toString(), "--tls-ca-cert-file", certs.ca.toString(),
                "--tls-auth-clients", clientCertificates ? "yes" : "no"));
        return Redis.launchWith(args);
    }

    private static RedisStore store(String options) {
        MirrorConfig c = MirrorConfig.load(options, new Properties(), Map.of());
        return new RedisStore(c.redis(), TIMEOUT_MS, new Counters(), c.username(), c.password(),
                StoredCopyOrder.INSTANCE, c.tls());
    }

    private static void assertWorks(RedisStore store, Redis redis) throws Exception {
        byte[] copy = SessionStoreContract.copy(1);
        assertEquals(WriteResult.STORED, store.set(SessionStoreContract.KEY, copy, 60));
        assertArrayEquals(copy, store.get(SessionStoreContract.KEY));
        assertArrayEquals(copy, redis.get(SessionStoreContract.KEY), "it landed in the real server");
        assertTrue(store.tryLock("lock", "t1", 10));
        assertTrue(store.unlock("lock", "t1"));
    }

    private static void assertRefused(RedisStore store, Redis redis) throws Exception {
        assertThrows(StoreException.class, () -> store.set(SessionStoreContract.KEY, SessionStoreContract.copy(1), 60));
        assertNull(redis.get(SessionStoreContract.KEY), "nothing reached the server");
    }

    @Test
    void theTrustedCaAndTheHostNameLetTheStoreIn() throws Exception {
        int[] port = new int[1];
        try (Redis redis = tlsRedis(certs.serverCert, certs.serverKey, false, port);
             RedisStore store = store("nodes=rediss://localhost:" + port[0] + ",tls=true,tls.ca=" + certs.ca)) {
            assertWorks(store, redis);
        }
    }

    @Test
    void anUntrustedServerIsRefused() throws Exception {
        int[] port = new int[1];
        try (Redis redis = tlsRedis(certs.serverCert, certs.serverKey, false, port);
             RedisStore store = store("nodes=rediss://localhost:" + port[0] + ",tls=true,tls.ca=" + certs.wrongCa)) {
            assertRefused(store, redis);
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefusedUnlessHostNamesAreNotChecked() throws Exception {
        int[] port = new int[1];
        try (Redis redis = tlsRedis(certs.otherNameCert, certs.otherNameKey, false, port)) {
            try (RedisStore store = store("nodes=rediss://localhost:" + port[0] + ",tls=true,tls.ca=" + certs.ca)) {
                assertRefused(store, redis);
            }
            try (RedisStore store = store("nodes=rediss://localhost:" + port[0] + ",tls=true,tls.ca=" + certs.ca
                    + ",tls.verify.hostname=false")) {
                assertWorks(store, redis);
            }
        }
    }

    @Test
    void aServerThatWantsAClientCertificateGetsOneFromTlsCertAndTlsKey() throws Exception {
        int[] port = new int[1];
        try (Redis redis = tlsRedis(certs.serverCert, certs.serverKey, true, port)) {
            try (RedisStore store = store("nodes=redis://localhost:" + port[0] + ",tls=true,tls.ca=" + certs.ca)) {
                assertRefused(store, redis);
            }
            try (RedisStore store = store("nodes=redis://localhost:" + port[0] + ",tls=true,tls.ca=" + certs.ca
                    + ",tls.cert=" + certs.clientCert + ",tls.key=" + certs.clientKey)) {
                assertWorks(store, redis);
            }
        }
    }
}
