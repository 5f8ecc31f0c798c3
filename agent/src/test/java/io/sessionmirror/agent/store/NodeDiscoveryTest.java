package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.metrics.Counters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the discovery follows and what it refuses, with sources the test scripts. */
class NodeDiscoveryTest {

    private static final NodeAddress A = new NodeAddress("10.0.0.1", 11211);
    private static final NodeAddress B = new NodeAddress("10.0.0.2", 11211);
    private static final NodeAddress C = new NodeAddress("10.0.0.3", 11211);
    private static final NodeAddress PLAIN = new NodeAddress("fixed", 11211);

    /** A source that answers what the test sets, or fails. */
    private static final class Scripted implements NodeSource {
        final NodeAddress entry;
        ClusterConfig next;
        IOException failure;
        int lookUps;

        Scripted(NodeAddress entry) {
            this.entry = entry;
        }

        @Override
        public NodeAddress entry() {
            return entry;
        }

        @Override
        public ClusterConfig lookUp() throws IOException {
            lookUps++;
            if (failure != null) {
                throw failure;
            }
            return next;
        }
    }

    private final Counters stats = new Counters();
    private final Scripted config = new Scripted(new NodeAddress(NodeAddress.Discovery.CONFIG, "cfg", 11211));
    private final List<List<NodeAddress>> handed = new ArrayList<>();

    private NodeDiscovery following(List<NodeAddress> storeHas, NodeSource... sources) {
        NodeDiscovery d = new NodeDiscovery(Arrays.asList(PLAIN), Arrays.asList(sources), 3600, stats);
        d.follow(handed::add, storeHas);
        return d;
    }

    @Test
    void theFullListIsHandedOnOnlyWhenItChanges() {
        config.next = new ClusterConfig(1, Arrays.asList(A, B));
        NodeDiscovery d = following(Arrays.asList(PLAIN), config);
        try {
            d.refresh();
            d.refresh(); // same answer: nothing handed
            config.next = new ClusterConfig(2, Arrays.asList(B, C));
            d.refresh();
            assertEquals(Arrays.asList(Arrays.asList(PLAIN, A, B), Arrays.asList(PLAIN, B, C)), handed);
            assertEquals(2, stats.nodeListChanges.sum());
            assertEquals(0, stats.discoveryFailures.sum());
        } finally {
            d.close();
        }
    }

    @Test
    void aFailingSourceKeepsItsLastListAndEachFailureIsCounted() {
        config.next = new ClusterConfig(1, Arrays.asList(A, B));
        NodeDiscovery d = following(Arrays.asList(PLAIN), config);
        try {
            d.refresh();
            config.failure = new IOException("connection refused");
            d.refresh();
            d.refresh();
            assertEquals(Arrays.asList(PLAIN, A, B), d.current());
            assertEquals(1, handed.size());
            assertEquals(2, stats.discoveryFailures.sum());
            config.failure = null;
            config.next = new ClusterConfig(2, Arrays.asList(A));
            d.refresh();
            assertEquals(Arrays.asList(PLAIN, A), handed.get(1));
        } finally {
            d.close();
        }
    }

    @Test
    void anOlderVersionAndAnEmptyListAreIgnored() {
        config.next = new ClusterConfig(5, Arrays.asList(A, B));
        NodeDiscovery d = following(Arrays.asList(PLAIN), config);
        try {
            d.refresh();
            config.next = new ClusterConfig(4, Arrays.asList(C)); // a stale endpoint
            d.refresh();
            config.next = new ClusterConfig(6, new ArrayList<>()); // nothing: the ring is not emptied
            d.refresh();
            assertEquals(Arrays.asList(PLAIN, A, B), d.current());
            assertEquals(1, handed.size());
            assertEquals(2, stats.discoveryFailures.sum());
            config.next = new ClusterConfig(5, Arrays.asList(A, C)); // the same version again is taken
            d.refresh();
            assertEquals(Arrays.asList(PLAIN, A, C), d.current());
        } finally {
            d.close();
        }
    }

    @Test
    void sourcesWithoutVersionAreMergedWithTheOthers() {
        Scripted dns = new Scripted(new NodeAddress(NodeAddress.Discovery.DNS, "mc", 11211));
        dns.next = new ClusterConfig(-1, Arrays.asList(C, A));
        config.next = new ClusterConfig(1, Arrays.asList(A, B));
        NodeDiscovery d = following(Arrays.asList(PLAIN), dns, config);
        try {
            d.refresh();
            assertEquals(Arrays.asList(PLAIN, C, A, B), d.current()); // A once
            dns.next = new ClusterConfig(-1, Arrays.asList(A));
            d.refresh();
            assertEquals(Arrays.asList(PLAIN, A, B), d.current());
        } finally {
            d.close();
        }
    }

    @Test
    void aFirstLookupThatEndedAfterTheStoreWasMadeIsHandedWhenFollowingStarts() {
        config.next = new ClusterConfig(1, Arrays.asList(A));
        NodeDiscovery d = new NodeDiscovery(Arrays.asList(PLAIN), Arrays.asList(config), 3600, stats);
        try {
            d.refresh(); // no sink yet: only remembered
            d.follow(handed::add, Arrays.asList(PLAIN));
            assertEquals(Arrays.asList(Arrays.asList(PLAIN, A)), handed);
        } finally {
            d.close();
        }
    }

    @Test
    void plainEntriesOnlyNeedNoDiscovery() {
        assertNull(NodeDiscovery.of(Arrays.asList(A, B), javax.net.SocketFactory.getDefault(), 100, 30, stats));
    }
}
