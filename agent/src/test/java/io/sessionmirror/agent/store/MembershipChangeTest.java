package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.it.Poll;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Test;

/**
 * A membership change keeps the nodes that stay and announces, as emptied, the nodes that may lack sessions now:
 * the new ones, and after a removal every node that stays. (Nodes on ports nobody listens on: no call is made.)
 */
class MembershipChangeTest {

    private static final NodeAddress A = new NodeAddress("127.0.0.1", 1);
    private static final NodeAddress B = new NodeAddress("127.0.0.1", 2);
    private static final NodeAddress C = new NodeAddress("127.0.0.1", 3);
    private static final NodeAddress D = new NodeAddress("127.0.0.1", 4);

    @Test
    void addedAndRemovedAreListedInOrder() {
        MembershipChange c = MembershipChange.of(Arrays.asList(A, B, C), Arrays.asList(D, B, C, A, D));
        assertEquals(Arrays.asList(D), c.added);
        assertEquals(Arrays.asList(), c.removed);
        c = MembershipChange.of(Arrays.asList(A, B, C), Arrays.asList(C, D));
        assertEquals(Arrays.asList(D), c.added);
        assertEquals(Arrays.asList(A, B), c.removed);
        assertEquals(true, MembershipChange.of(Arrays.asList(A, B), Arrays.asList(B, A)).isEmpty());
    }

    @Test
    void nodesThatStayAreKeptAndTheOnesThatMayLackSessionsAreAnnounced() throws Exception {
        MemcachedStore store = new MemcachedStore(Arrays.asList(A, B, C), 50, 1, new Counters(), null, null, ORDER);
        Set<String> announced = new ConcurrentSkipListSet<>();
        store.addListener((node, emptied) -> announced.add(node.port() + (emptied ? " emptied" : "")));
        try {
            Node b = store.node(B);
            Node c = store.node(C);
            store.changeMembership(Arrays.asList(A, B, C, D)); // added only: only D may lack sessions
            awaitAnnounced(announced, Set.of("4 emptied"));
            assertSame(b, store.node(B));
            assertSame(c, store.node(C));
            announced.clear();

            store.changeMembership(Arrays.asList(B, C, D)); // A removed: every node that stays may take some of it
            awaitAnnounced(announced, Set.of("2 emptied", "3 emptied", "4 emptied"));
            assertNull(store.node(A));
            assertSame(b, store.node(B));
            assertEquals(Arrays.asList(B, C, D), store.nodes());
            announced.clear();

            store.changeMembership(Arrays.asList(D, C, B)); // the same nodes: nothing happens
            store.changeMembership(Arrays.asList()); // an empty list is never followed
            assertEquals(Arrays.asList(B, C, D), store.nodes());
            assertNotNull(store.node(B));
            Poll.until("the repair queue drained", Duration.ofSeconds(10), () -> store.repairsPending() == 0);
            assertEquals(Set.of(), announced);
        } finally {
            store.close();
        }
    }

    private static void awaitAnnounced(Set<String> announced, Set<String> expected) throws Exception {
        Poll.until("announced " + expected + ", not " + announced, Duration.ofSeconds(10), () -> announced.equals(expected));
        assertEquals(new TreeSet<>(expected), new TreeSet<>(announced));
    }

    /** Any order: nothing is stored in this test. */
    private static final CopyOrder ORDER = new CopyOrder() {
        @Override
        public int compare(byte[] a, byte[] b) {
            return 0;
        }

        @Override
        public Decision decide(byte[] stored, byte[] incoming) {
            return Decision.values()[0];
        }

        @Override
        public int expiryOf(byte[] value) {
            return 0;
        }

        @Override
        public byte[] tombstone(int expirySeconds) {
            return new byte[0];
        }

        @Override
        public boolean isTombstone(byte[] value) {
            return false;
        }
    };
}
