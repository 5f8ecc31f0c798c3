package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SerializationPathTest {

    /** Not Serializable: what the application should not have put in its session (a data source, a socket). */
    static final class Supplier {
        final String name = "acme";
    }

    static final class Item implements Serializable {
        private static final long serialVersionUID = 1L;
        final String sku;
        Object supplier;

        Item(String sku) {
            this.sku = sku;
        }
    }

    static final class Cart implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<Item> items = new ArrayList<>();
    }

    static final class Node implements Serializable {
        private static final long serialVersionUID = 1L;
        Node next;
        Object payload;
    }

    static final class Cached implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Rebuilt after a restore: serialization leaves it out, so must the walk. */
        transient Supplier cache = new Supplier();
        static Supplier shared = new Supplier();
        final String id = "x";
    }

    enum Region { NORTH }

    @Test
    void nestedListNamesTheElementAndTheField() {
        Cart cart = new Cart();
        for (String sku : new String[] {"a", "b", "c"}) {
            cart.items.add(new Item(sku));
        }
        cart.items.get(2).supplier = new Supplier();
        assertPath("cart.items[2].supplier -> " + Supplier.class.getName(), "cart", cart);
    }

    @Test
    void mapValuesAreNamedByTheirKeyAndKeysThemselves() {
        Map<Object, Object> prices = new LinkedHashMap<>();
        prices.put("apple", 1);
        prices.put("pear", new Supplier());
        assertPath("prices[\"pear\"] -> " + Supplier.class.getName(), "prices", prices);

        Map<Object, Object> byRegion = new ConcurrentHashMap<>();
        byRegion.put(Region.NORTH, Collections.singletonMap(42, new Supplier()));
        assertPath("regions[NORTH][42] -> " + Supplier.class.getName(), "regions", byRegion);

        Map<Object, Object> keyed = new LinkedHashMap<>();
        keyed.put("ok", "fine");
        keyed.put(new Supplier(), "value");
        assertPath("keyed{#1 Supplier} -> " + Supplier.class.getName(), "keyed", keyed);
    }

    @Test
    void arraysByIndex() {
        Object[][] grid = {{"a", 1}, {"b", new Supplier()}};
        assertPath("grid[1][1] -> " + Supplier.class.getName(), "grid", grid);
        assertNull(SerializationPath.find("bytes", new byte[] {1, 2, 3}));
    }

    @Test
    void aCycleEndsTheWalkAndTheShortestPathWins() {
        Node a = new Node();
        Node b = new Node();
        a.next = b;
        b.next = a;
        assertNull(SerializationPath.find("ring", a)); // serializable, and the cycle does not loop forever
        b.payload = new Supplier();
        assertPath("ring.next.payload -> " + Supplier.class.getName(), "ring", a);
    }

    @Test
    void transientAndStaticFieldsAreNotFollowed() throws IOException {
        Cached cached = new Cached();
        serialize(cached); // serialization agrees: nothing to find
        assertNull(SerializationPath.find("cached", cached));
    }

    @Test
    void jdkCollectionsAreReadThroughTheirApi() {
        List<Object> list = new CopyOnWriteArrayList<>();
        list.add("first");
        list.add(List.of("x", new ArrayList<>(List.of(new Supplier()))));
        assertPath("list[1][1][0] -> " + Supplier.class.getName(), "list", list);
        // a view that is not serializable itself
        Map<String, String> m = new java.util.HashMap<>();
        m.put("k", "v");
        assertPath("keys -> " + m.keySet().getClass().getName(), "keys", m.keySet());
    }

    @Test
    void theAttributeItselfWhenItIsNotSerializable() {
        assertPath("tracker -> " + Supplier.class.getName(), "tracker", new Supplier());
    }

    @Test
    void longKeysAreShortened() {
        String key = "k".repeat(100);
        assertEquals("\"" + "k".repeat(36) + "...", SerializationPath.key(key, 0));
    }

    @Test
    void theWalkIsBounded() {
        // A chain longer than the depth bound: not followed to its end (and no stack overflow).
        Node head = new Node();
        Node n = head;
        for (int i = 0; i < SerializationPath.MAX_DEPTH + 10; i++) {
            n.next = new Node();
            n = n.next;
        }
        n.payload = new Supplier();
        assertNull(SerializationPath.find("chain", head));
    }

    /** The path's class is the one serialization itself refuses. */
    private static void assertPath(String expected, String name, Object value) {
        assertEquals(expected, SerializationPath.find(name, value));
        NotSerializableException e = assertThrows(NotSerializableException.class, () -> serialize(value));
        assertEquals(expected.substring(expected.indexOf(" -> ") + 4), e.getMessage());
    }

    private static void serialize(Object value) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(value);
        }
    }
}
