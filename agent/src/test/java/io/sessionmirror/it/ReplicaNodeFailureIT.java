package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Three memcached nodes, {@code replicas=1}: every session has two copies on two distinct nodes. A node dies
 * under steady traffic (no request fails, no session is lost), comes back empty (the sessions that belong on
 * it are written there again, also those nobody touches), and then a second node dies together with the
 * server: every session still resumes from the copies the repair put back.
 */
class ReplicaNodeFailureIT extends FaultTest {

    private static final int BUSY = 60;
    private static final int IDLE = 60;

    @Test
    void losingANodeLosesNothingAndItsCopiesAreRestoredWhenItComesBackEmpty() throws Exception {
        List<Memcached> nodes = List.of(node(), node(), node());
        String options = nodesOption(nodes) + ",replicas=1,timeout=500";
        ServerProcess a = tomcat("replicaA", options);

        // Busy users keep clicking through the test; idle users made their session and went quiet.
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
        awaitTwoCurrentCopies(nodes, users, 20_000);

        traffic.start();
        traffic.awaitOk(BUSY * 3L, Duration.ofSeconds(60)); // every busy user is under way
        Memcached lost = nodes.get(1);
        lost.kill();
        // The agent notices (a failed call opens the node's breaker), then traffic goes on without the node.
        a.awaitLog("Memcached " + lost.address() + " is not", Duration.ofSeconds(30));
        traffic.awaitOk(traffic.ok() + BUSY * 5L, Duration.ofSeconds(60));
        traffic.stop();
        System.out.println("[ReplicaNodeFailureIT] node " + lost.address() + " killed under traffic: " + traffic.summary());
        assertEquals(0, traffic.failed(), "requests failed while a node was down: " + traffic.failures());
        assertTrue(traffic.ok() > BUSY, "traffic ran: " + traffic.summary());
        awaitAcknowledgedStored(List.of(nodes.get(0), nodes.get(2)), busy, traffic);

        // Every session still has a copy on the nodes that are up.
        for (Browser u : users) {
            String k = key(u.sessionId());
            assertTrue(nodes.get(0).get(k) != null || nodes.get(2).get(k) != null, "no copy left of " + k);
        }

        // The node comes back empty: its share is written there again, without any user doing anything.
        long t0 = System.nanoTime();
        lost.restartEmpty();
        long repairMillis = awaitTwoCurrentCopies(nodes, users, 60_000);
        System.out.println("[ReplicaNodeFailureIT] node back empty; every session had both copies on its home nodes "
                + repairMillis + " ms after the restart (" + (System.nanoTime() - t0) / 1_000_000 + " ms incl. checks)");

        // Now another node dies, with the server: every session resumes on a new server from what is left.
        nodes.get(0).kill();
        a.kill9();
        ServerProcess b = tomcat("replicaB", options);
        int lostSessions = 0;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            Map<String, String> facts = users.get(i).get(b.url("/shop/session"));
            long expected = i < BUSY ? traffic.acked(i) : idleVisits[i - BUSY];
            if (!"replicaB".equals(facts.get("server")) || facts.get("attr.visits") == null) {
                lostSessions++;
                wrong.add(users.get(i).sessionId() + " -> " + facts);
            } else if (Long.parseLong(facts.get("attr.visits")) != expected) {
                wrong.add(users.get(i).sessionId() + " visits " + facts.get("attr.visits") + ", acknowledged " + expected);
            }
        }
        System.out.println("[ReplicaNodeFailureIT] after losing a second node and the server: " + lostSessions
                + " of " + users.size() + " sessions lost");
        assertEquals(List.of(), wrong, "sessions lost or behind");
    }

    /** Waits until each busy user's last acknowledged count is stored on a node that is up (the last async writes). */
    private static void awaitAcknowledgedStored(List<Memcached> up, List<Browser> busy, Traffic traffic) throws Exception {
        Poll.untilNothingPending(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < BUSY; i++) {
                String id = busy.get(i).sessionId();
                long stored = -1;
                for (Memcached m : up) {
                    stored = Math.max(stored, visits(m.get(key(id)), id));
                }
                if (stored != traffic.acked(i)) {
                    return id + " stored " + stored + ", acknowledged " + traffic.acked(i);
                }
            }
            return null;
        });
    }

    /**
     * Waits until every user's session has a copy on both of its home nodes, at the newest version found on any
     * node; returns how long that took.
     */
    private static long awaitTwoCurrentCopies(List<Memcached> nodes, List<Browser> users, long timeoutMillis)
            throws Exception {
        long t0 = System.nanoTime();
        Poll.untilNothingPending(Duration.ofMillis(timeoutMillis), () -> {
            for (Browser u : users) {
                String k = key(u.sessionId());
                long newest = -1;
                for (Memcached m : nodes) {
                    newest = Math.max(newest, version(m.get(k)));
                }
                for (Memcached home : homes(nodes, k, 2)) {
                    long v = version(home.get(k));
                    if (newest < 0 || v != newest) {
                        return "a session still lacks a current copy: " + k + " on " + home.address() + " (version " + v
                                + ", newest " + newest + ")";
                    }
                }
            }
            return null;
        });
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
