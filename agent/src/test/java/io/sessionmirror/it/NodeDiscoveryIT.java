package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ring follows discovery, on a real Tomcat with the agent and real memcached nodes. Through a
 * {@code config:} endpoint (a protocol test server in front of the nodes): a node added, then one removed,
 * under steady traffic with {@code replicas=1}: no request fails, every session ends up with both copies on
 * the two nodes left, and after the server and one of those nodes die too, every session resumes elsewhere
 * at its acknowledged count. Through a {@code dns:} name (a hosts file, one memcached per 127.0.0.x address):
 * the file changes, the ring follows, and the sessions are copied to the new node.
 */
class NodeDiscoveryIT extends FaultTest {

    private static final int BUSY = 40;
    private static final int IDLE = 40;

    /** Which discovery the running case uses: its row of the backend matrix. */
    private String form = "discovery";

    @Override
    public String[] backendLabel() {
        return new String[] {"Memcached", form, Backend.memcachedVersion()};
    }

    @Test
    void aConfigEndpointAddsAndRemovesNodesUnderLoadWithoutLosingASession() throws Exception {
        form = "auto discovery (config get cluster, protocol test server)";
        Memcached m1 = node();
        Memcached m2 = node();
        Memcached m3 = node();
        try (ClusterConfigServer endpoint = new ClusterConfigServer(false)) {
            endpoint.list(List.of(m1, m2));
            String options = "nodes=config:" + endpoint.address() + ",replicas=1,timeout=500,discovery.interval=1";
            ServerProcess a = tomcat("discoveryA", options);

            List<Browser> users = new ArrayList<>();
            for (int i = 0; i < BUSY + IDLE; i++) {
                users.add(new Browser());
            }
            List<Browser> busy = users.subList(0, BUSY);
            Traffic traffic = new Traffic(busy, i -> a.url("/shop/counter?format=text"), 3);
            long[] idleVisits = new long[IDLE];
            for (int i = 0; i < users.size(); i++) {
                Map<String, String> facts = users.get(i).get(a.url("/shop/counter?format=text"));
                if (i < BUSY) {
                    traffic.acked(i, facts);
                } else {
                    idleVisits[i - BUSY] = Long.parseLong(facts.get("attr.visits"));
                }
            }
            traffic.start();
            traffic.awaitOk(BUSY * 3L, Duration.ofSeconds(60));

            endpoint.list(List.of(m1, m2, m3));
            a.awaitLog("Memcached nodes changed: added [" + m3.address() + "], removed []", Duration.ofSeconds(30));
            traffic.awaitOk(traffic.ok() + BUSY * 3L, Duration.ofSeconds(60));
            endpoint.list(List.of(m2, m3));
            a.awaitLog("Memcached nodes changed: added [], removed [" + m1.address() + "]", Duration.ofSeconds(30));
            traffic.awaitOk(traffic.ok() + BUSY * 3L, Duration.ofSeconds(60));
            traffic.stop();
            System.out.println("[NodeDiscoveryIT] node added and node removed under traffic: " + traffic.summary());
            assertEquals(0, traffic.failed(), "requests failed while the ring changed: " + traffic.failures());
            assertEquals(2, count(a.log(), "Memcached nodes changed"), "each change logged once:\n" + a.log());
            m1.kill(); // removed for good: nothing may depend on it

            // replicas=1 on two nodes: every session, busy or idle, on both, at its newest version.
            long t0 = System.nanoTime();
            List<Memcached> left = List.of(m2, m3);
            Poll.untilNothingPending(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < users.size(); i++) {
                    String id = users.get(i).sessionId();
                    long expected = i < BUSY ? traffic.acked(i) : idleVisits[i - BUSY];
                    for (Memcached m : left) {
                        long stored = visits(m.get(key(id)), id);
                        if (stored != expected) {
                            return id + " on " + m.address() + ": " + stored + " visits stored, " + expected
                                    + " acknowledged";
                        }
                    }
                }
                return null;
            });
            System.out.println("[NodeDiscoveryIT] every session on both nodes left " + (System.nanoTime() - t0) / 1_000_000
                    + " ms after the traffic stopped");

            // The server and one of the two nodes die: every session resumes from the other node.
            a.kill9();
            m2.kill();
            ServerProcess b = tomcat("discoveryB", options);
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                Map<String, String> facts = users.get(i).get(b.url("/shop/session"));
                long expected = i < BUSY ? traffic.acked(i) : idleVisits[i - BUSY];
                if (!"discoveryB".equals(facts.get("server")) || !String.valueOf(expected).equals(facts.get("attr.visits"))) {
                    wrong.add(users.get(i).sessionId() + " -> " + facts + ", acknowledged " + expected);
                }
            }
            assertEquals(List.of(), wrong, "sessions lost or behind");
        }
    }

    @Test
    void aDnsNameIsResolvedAgainAndTheRingFollowsTheHostsFile() throws Exception {
        form = "DNS discovery (dns:, hosts file)";
        int port = Memcached.freePort();
        Memcached n2 = node(Memcached.startOn("127.0.0.2", port));
        Memcached n3 = node(Memcached.startOn("127.0.0.3", port));
        Memcached n4 = node(Memcached.startOn("127.0.0.4", port));
        Path dir = Files.createTempDirectory("discovery-hosts-");
        Path hosts = dir.resolve("hosts");
        writeHosts(hosts, "127.0.0.2", "127.0.0.3");
        // The test sets the JVM's DNS cache to 1 s (the agent never changes it): the change shows within 2 s.
        ServerProcess a = started(Servers.embeddedTomcat(Servers.TOMCAT10, "dnsA", Memcached.freePort(),
                "nodes=dns:memcached.test:" + port + ",replicas=1,timeout=500,discovery.interval=1", List.of(), "",
                List.of("-Djdk.net.hosts.file=" + hosts, "-Dsun.net.inetaddr.ttl=1"))).awaitReady("/shop/stats", READY);
        a.awaitLog("dns:memcached.test:" + port + " is resolved every 1 s; this JVM caches DNS answers for 1 s",
                Duration.ofSeconds(5));

        List<Browser> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            users.add(new Browser());
            users.get(i).get(a.url("/shop/counter?format=text"));
        }
        awaitOnAll(List.of(n2, n3), users);

        writeHosts(hosts, "127.0.0.3", "127.0.0.4");
        a.awaitLog("Memcached nodes changed: added [" + n4.address() + "], removed [" + n2.address() + "]",
                Duration.ofSeconds(30));
        // Nobody clicks: the sessions that now belong on the new node are copied there by the agent.
        awaitOnAll(List.of(n3, n4), users);
        n3.kill();
        for (Browser u : users) {
            assertTrue(n4.get(key(u.sessionId())) != null, "no copy on the node that stays of " + u.sessionId());
        }
        assertEquals(1, count(a.log(), "Memcached nodes changed"), a.log());
    }

    /** Replaces the hosts file whole (a reader never sees half of it). */
    private static void writeHosts(Path hosts, String... addresses) throws Exception {
        StringBuilder b = new StringBuilder("127.0.0.1 localhost\n"); // the file replaces the resolver whole
        for (String a : addresses) {
            b.append(a).append(" memcached.test\n");
        }
        Path tmp = hosts.resolveSibling("hosts.tmp");
        Files.writeString(tmp, b.toString());
        Files.move(tmp, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits until every user's session is on each of the nodes (two nodes, replicas=1: on both). */
    private static void awaitOnAll(List<Memcached> nodes, List<Browser> users) throws Exception {
        Poll.untilNothingPending(Duration.ofSeconds(30), () -> {
            for (Browser u : users) {
                for (Memcached m : nodes) {
                    if (m.get(key(u.sessionId())) == null) {
                        return u.sessionId() + " not on " + m.address();
                    }
                }
            }
            return null;
        });
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
