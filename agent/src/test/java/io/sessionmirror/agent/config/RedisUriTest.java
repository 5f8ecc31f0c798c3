package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The Redis forms of {@code nodes}: what each means, and the one-line error of each mistake. */
class RedisUriTest {

    private static MirrorConfig load(String options) {
        return MirrorConfig.load(options, new Properties(), Collections.emptyMap());
    }

    private static String error(String options) {
        return assertThrows(ConfigException.class, () -> load(options)).getMessage();
    }

    @Test
    void standaloneWithCredentialsAndDatabase() {
        RedisUri u = load("nodes=redis://mirror:s%40cret@cache.local:6380/3").redis();
        assertEquals(RedisUri.Kind.STANDALONE, u.kind());
        assertFalse(u.tls());
        assertEquals(List.of(new NodeAddress("cache.local", 6380)), u.hosts());
        assertEquals("mirror", u.user());
        assertEquals("s@cret", u.password(), "percent-decoded");
        assertEquals(3, u.database());
        assertEquals("redis://mirror:****@cache.local:6380/3", u.toString(), "no password in logs");
    }

    @Test
    void defaultsPortsAndThePasswordOnlyForm() {
        RedisUri u = RedisUri.parse("rediss://:pw@cache");
        assertTrue(u.tls());
        assertEquals(new NodeAddress("cache", 6379), u.hosts().get(0));
        assertNull(u.user(), "the default user");
        assertEquals("pw", u.password());
        assertEquals(0, u.database());
        assertEquals(new NodeAddress("s1", 26379), RedisUri.parse("redis-sentinel://s1/m").hosts().get(0));
        assertEquals(new NodeAddress("::1", 6379), RedisUri.parse("redis://[::1]").hosts().get(0));
        assertEquals(new NodeAddress("::1", 7000), RedisUri.parse("redis://[::1]:7000").hosts().get(0));
    }

    @Test
    void sentinelAndClusterTakeSeveralHosts() {
        MirrorConfig c = load("nodes=redis-sentinel://s1:26379,s2:26380,s3/sessions/2,write=sync");
        RedisUri u = c.redis();
        assertEquals(RedisUri.Kind.SENTINEL, u.kind());
        assertEquals(3, u.hosts().size());
        assertEquals("sessions", u.master());
        assertEquals(2, u.database());
        assertEquals(u.hosts(), c.nodes(), "nodes() are the addresses the store starts from");
        assertEquals(MirrorConfig.WriteMode.SYNC, c.writeMode(), "the option after the list still parses");
        RedisUri cl = RedisUri.parse("redis-cluster://n1:7000,n2:7001");
        assertEquals(RedisUri.Kind.CLUSTER, cl.kind());
        assertEquals(2, cl.hosts().size());
    }

    @Test
    void memcachedListsAreUnchanged() {
        MirrorConfig c = load("nodes=mc1:11211,mc2");
        assertNull(c.redis());
        assertEquals(List.of(new NodeAddress("mc1", 11211), new NodeAddress("mc2", 11211)), c.nodes());
    }

    @Test
    void mistakesAreOneLineErrorsWithoutThePassword() {
        for (String[] bad : new String[][] {
                {"nodes=mc1:11211,redis://r:6379", "cannot be mixed"},
                {"nodes=redis://r1:6379,r2:6379", "names one server"},
                {"nodes=redis://r:6379/x", "database index must be a number"},
                {"nodes=redis-cluster://n1:7000/1", "only database 0"},
                {"nodes=redis-sentinel://s1:26379", "names its master"},
                {"nodes=redis://user@r:6379", "user:password@"},
                {"nodes=redis://u:@r", "password in the Redis URI is empty"},
                {"nodes=redis://r:99999", "is not host:port"},
                {"nodes=redis://", "no host"},
                {"nodes=redis://u:topsecret@r:6379,replicas=1", "replication is the Redis server's job"},
        }) {
            String message = error(bad[0]);
            assertTrue(message.contains(bad[1]), bad[0] + " -> " + message);
            assertFalse(message.contains("\n"), message);
            assertFalse(message.contains("topsecret"), "the password is masked: " + message);
        }
    }
}
