package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The replicated store on its own, against real memcached processes: copies on distinct nodes, the newest
 * copy wins a read and repairs the others, a hung node is skipped by its circuit breaker, a delete it missed
 * is replayed when it answers again, and a node that restarted empty is announced for a full repair.
 */
class MemcachedStoreIT extends FaultTest {

    /** The store alone: no server runs here. */
    @Override
    public String serversRun() {
        return "";
    }

    private static final SessionCodec CODEC = new SessionCodec(null, -1, new FstSerializer());

    private static byte[] copy(long version, int visits) throws Exception {
        return CODEC.encode(new SessionData("id", 1L, 1800, null, null, Map.of("visits", visits)),
                MemcachedStoreIT.class.getClassLoader(), version, "").payload;
    }

    private static MemcachedStore store(List<Memcached> nodes, int replicas, Counters stats) {
        return new MemcachedStore(MirrorConfig.load(nodesOption(nodes), new java.util.Properties(), Map.of()).nodes(),
                300, replicas, stats, null, null, StoredCopyOrder.INSTANCE);
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        Poll.until(what, Duration.ofSeconds(20), condition);
    }

    @Test
    void copiesGoToDistinctHomesAndTheNewestWinsAndRepairsTheRest() throws Exception {
        List<Memcached> nodes = List.of(node(), node(), node());
        Counters stats = new Counters();
        try (MemcachedStore store = store(nodes, 1, stats)) {
            String key = "sm:_:/shop:RING";
            List<Memcached> homes = homes(nodes, key, 2);
            store.set(key, copy(3, 3), 60);
            for (Memcached m : nodes) {
                assertEquals(homes.contains(m) ? 3 : -1, version(m.get(key)), "copy on " + m.address());
            }
            // One home lost its copy, the other has a newer one than the store wrote (another server's write).
            homes.get(0).set(key, copy(5, 5), 60);
            homes.get(1).set(key, copy(4, 4), 60);
            assertEquals(5, SessionCodec.versionOf(store.get(key)), "the newest copy wins");
            await("the stale home repaired", () -> version(homes.get(1).get(key)) == 5);
            assertTrue(stats.replicaRepairs.sum() >= 1);
        }
    }

    @Test
    void aHungNodeIsSkippedAndADeleteItMissedIsReplayed() throws Exception {
        List<Memcached> nodes = List.of(node(), node(), node());
        try (MemcachedStore store = store(nodes, 1, new Counters())) {
            String key = "sm:_:/shop:LOGOUT";
            List<Memcached> homes = homes(nodes, key, 2);
            byte[] v1 = copy(1, 1);
            store.set(key, v1, 60);
            Memcached hung = homes.get(0);
            hung.pause();
            try {
                // Calls to it time out until its breaker opens; then they do not wait at all.
                for (int i = 0; i < 5; i++) {
                    try {
                        store.set(key, v1, 60);
                    } catch (StoreException e) {
                        // acceptable: none of the homes answered in time
                    }
                }
                await("the breaker opens", () -> store.nodesDown().toString().contains(hung.address()));
                store.delete(key); // logout while the node hangs
                for (Memcached m : nodes) {
                    if (m != hung) {
                        assertNull(m.get(key), "deleted on " + m.address());
                    }
                }
            } finally {
                hung.resume();
            }
            await("the node answers again", () -> store.nodesDown().isEmpty());
            await("the missed delete replayed", () -> hung.get(key) == null);
            assertNull(store.get(key), "a logged-out session cannot come back from the node that was away");
        }
    }

    @Test
    void aNodeThatRestartedEmptyIsAnnouncedForAFullRepair() throws Exception {
        List<Memcached> nodes = List.of(node(), node());
        try (MemcachedStore store = store(nodes, 1, new Counters())) {
            List<String> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
            store.addListener((node, emptied) -> announced.add(node + (emptied ? " emptied" : "")));
            store.set("sm:_:/:A", copy(1, 1), 60);
            long round = store.probeRounds();
            await("both nodes probed once: their process ids are known", () -> store.probeRounds() >= round + 1);
            nodes.get(1).restartEmpty();
            await("the restart noticed", () -> announced.contains(nodes.get(1).address() + " emptied"));
            assertNotNull(store.get("sm:_:/:A"));
            await("the copy repaired", () -> nodes.get(1).get("sm:_:/:A") != null);
            assertArrayEquals(nodes.get(0).get("sm:_:/:A"), nodes.get(1).get("sm:_:/:A"));
        }
    }

    @Test
    void everyNodeDownFailsFastWithAClearError() throws Exception {
        Memcached only = node();
        try (MemcachedStore store = store(List.of(only), 0, new Counters())) {
            store.set("sm:_:/:X", copy(1, 1), 60);
            only.kill();
            StoreException e = assertThrows(StoreException.class,
                    () -> store.get("sm:_:/:X"));
            assertTrue(e.getMessage().contains(only.address()), e.getMessage());
        }
    }
}
