package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The compact form of a lineage reads back what it was given, and equal name sets share one array. */
class LineageTest {

    @Test
    void hashesStampsAndRemovalMarkersReadBackAsGiven() {
        Lineage l = new Lineage(new String[] {"a", "b", "c"}, new long[] {11, 0, -5}, new long[] {0, 0, 7},
                new boolean[] {false, true, false});
        assertEquals(3, l.size());
        assertEquals(11, l.hash(0));
        assertEquals(0, l.stamp(0));
        assertFalse(l.removed(0));
        assertTrue(l.removed(1), "a removal marker at stamp 0 is still one");
        assertEquals(0, l.stamp(1));
        assertEquals(-5, l.hash(2), "a hash may be negative; only the stamp carries the marker");
        assertEquals(7, l.stamp(2));
        assertFalse(l.removed(2));
        assertTrue(l.has("c", -5));
        assertFalse(l.has("b", 0), "a removal marker is not a live attribute");
        assertEquals(-1, l.indexOf("d"));
    }

    @Test
    void lineagesWithTheSameNamesShareOneNamesArray() throws Exception {
        // Names as a restore reads them: fresh strings, equal but not the same objects.
        Lineage one = new Lineage(new String[] {new String("cart"), new String("user")}, new long[2], new long[2],
                new boolean[2]);
        Lineage two = new Lineage(new String[] {new String("cart"), new String("user")}, new long[] {1, 2},
                new long[] {3, 4}, new boolean[2]);
        assertSame(names(one), names(two));
        assertSame(one.name(0), two.name(0));
        Lineage other = new Lineage(new String[] {"cart"}, new long[1], new long[1], new boolean[1]);
        assertNotSame(names(one), names(other));
    }

    private static Object names(Lineage l) throws Exception {
        java.lang.reflect.Field f = Lineage.class.getDeclaredField("names");
        f.setAccessible(true);
        return f.get(l);
    }
}
