package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The dns: and config: entries of nodes, and discovery.interval. */
class DiscoveryEntriesTest {

    private static MirrorConfig load(String options) {
        return MirrorConfig.load(options, new Properties(), Collections.emptyMap());
    }

    private static String error(String options) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(options));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void dnsAndConfigEntriesMixWithPlainNodes() {
        MirrorConfig c = load("nodes=dns:memcached.shop.svc.cluster.local:11211,config:my.cfg.use1.cache.amazonaws.com:11211,"
                + "10.0.0.5:11212");
        assertEquals(Arrays.asList(
                new NodeAddress(NodeAddress.Discovery.DNS, "memcached.shop.svc.cluster.local", 11211),
                new NodeAddress(NodeAddress.Discovery.CONFIG, "my.cfg.use1.cache.amazonaws.com", 11211),
                new NodeAddress("10.0.0.5", 11212)), c.nodes());
        assertEquals("[dns:memcached.shop.svc.cluster.local:11211, config:my.cfg.use1.cache.amazonaws.com:11211,"
                + " 10.0.0.5:11212]", c.nodes().toString());
        assertTrue(c.nodes().get(0).isDiscovered());
        assertFalse(c.nodes().get(2).isDiscovered());
        assertEquals(30, c.discoveryIntervalSeconds());
    }

    @Test
    void theSchemeIsCaseInsensitiveThePortDefaultsAndIpv6NeedsBrackets() {
        assertEquals(new NodeAddress(NodeAddress.Discovery.DNS, "mc", 11211), load("nodes=DNS:mc").nodes().get(0));
        assertEquals(new NodeAddress(NodeAddress.Discovery.CONFIG, "::1", 11300),
                load("nodes=config:[::1]:11300").nodes().get(0));
        assertEquals("config:[::1]:11300", load("nodes=config:[::1]:11300").nodes().get(0).toString());
        // the same name as a node and as a dns: entry are two different entries
        assertEquals(2, load("nodes=mc:11211,dns:mc:11211").nodes().size());
    }

    @Test
    void badEntriesAreOneLineErrorsNamingTheForms() {
        for (String bad : new String[] {"dns:", "dns::11211", "dns:mc:0", "dns:mc:99999", "dns:mc:port", "config:a b:1",
            "dns:config:mc:1", "config:dns:mc", "dns:[::1", "memcache://mc:11211", "mc:1:2"}) {
            String m = error("nodes=" + bad);
            assertTrue(m.contains("'" + bad + "' is not host:port, dns:<name>:<port> or config:<host>:<port>"), m);
        }
    }

    @Test
    void replicasAreCheckedAgainstTheNodesOnlyWhenNoEntryIsDiscovered() {
        assertTrue(error("nodes=a:1,replicas=1").contains("2 copies need at least 2 nodes"));
        // a dns: name may stand for any number of nodes: known only when it is looked up
        assertEquals(2, load("nodes=dns:mc:11211,replicas=2").replicas());
    }

    @Test
    void discoveryIntervalIsSecondsFromOneToAnHour() {
        assertEquals(5, load("nodes=dns:mc,discovery.interval=5").discoveryIntervalSeconds());
        assertTrue(error("nodes=dns:mc,discovery.interval=0").contains("out of range"));
        assertTrue(error("nodes=dns:mc,discovery.interval=3601").contains("out of range"));
        assertTrue(error("nodes=dns:mc,discovery.interval=30s").contains("'30s' for option 'discovery.interval'"));
    }
}
