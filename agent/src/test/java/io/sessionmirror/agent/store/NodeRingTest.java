package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NodeRingTest {

    private static final int KEYS = 20_000;

    private static NodeRing<String> ring(String... nodes) {
        return new NodeRing<>(List.of(nodes), Function.identity());
    }

    @Test
    void everyKeyListsEveryNodeOnceHomeFirst() {
        NodeRing<String> r = ring("a:1", "b:1", "c:1", "d:1");
        for (int i = 0; i < 1000; i++) {
            List<String> p = r.preference("sm:_:/shop:" + i);
            assertEquals(4, p.size());
            assertEquals(4, new HashSet<>(p).size(), "distinct nodes: " + p);
        }
    }

    @Test
    void keysSpreadEvenlyEnough() {
        NodeRing<String> r = ring("10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211");
        int[] counts = new int[3];
        for (int i = 0; i < KEYS; i++) {
            counts[r.nodes().indexOf(r.preference("sm:_:/shop:" + Integer.toHexString(i * 7919)).get(0))]++;
        }
        for (int c : counts) {
            assertTrue(c > KEYS / 3 * 0.75 && c < KEYS / 3 * 1.25, "share of one node: " + c + " of " + KEYS);
        }
    }

    @Test
    void losingANodeMovesOnlyItsOwnKeys() {
        NodeRing<String> three = ring("a:1", "b:1", "c:1");
        NodeRing<String> two = ring("a:1", "c:1");
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            String key = "sm:_:/:" + i;
            String before = three.preference(key).get(0);
            String after = two.preference(key).get(0);
            if (!before.equals("b:1")) {
                assertEquals(before, after, "a key of a surviving node stays there");
            } else {
                moved++;
                // It moves to the node that was next for it: where a replica already is.
                assertEquals(three.preference(key).get(1), after);
            }
        }
        assertTrue(moved > 0);
    }

    @Test
    void oneNodeHoldsEverything() {
        NodeRing<String> r = ring("only:1");
        assertEquals(new ArrayList<>(List.of("only:1")), r.preference("x"));
    }
}
