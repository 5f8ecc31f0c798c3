package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.Serializer;
import io.sessionmirror.agent.codec.SessionCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Change tracking by name: a request that only read one mutable attribute makes its snapshot check that attribute
 * alone (one serialization, not one per attribute); read in place and changed, it is written; two read: all checked.
 */
class AttributeReadTrackingTest {

    /** Java serialization that remembers what it was asked to serialize. */
    static final class CountingSerializer implements Serializer {
        final Serializer java = new JavaSerializer();
        final List<Object> roots = new ArrayList<>();

        @Override
        public byte id() {
            return java.id();
        }

        @Override
        public String name() {
            return java.name();
        }

        @Override
        public synchronized byte[] serialize(Object root, ClassLoader loader) throws IOException {
            roots.add(root);
            return java.serialize(root, loader);
        }

        @Override
        public Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
            return java.deserialize(bytes, loader);
        }

        synchronized List<Object> take() {
            List<Object> r = new ArrayList<>(roots);
            roots.clear();
            return r;
        }
    }

    private MirrorFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    @SuppressWarnings("unchecked")
    void aReadOfOneMutableAttributeChecksThatAttributeOnly(boolean sync) throws Exception {
        CountingSerializer counting = new CountingSerializer();
        MirrorFixture.Options o = new MirrorFixture.Options().codec(new SessionCodec(null, -1, counting));
        f = MirrorFixture.async(sync ? o.sync() : o);
        String id = "TRACK00001";
        MirrorFixture.Req first = f.request();
        first.create(id);
        first.set("cart", new ArrayList<>(List.of("apple"))).set("prefs", new HashMap<>()).set("history",
                new ArrayList<>()).end();
        f.settled();
        assertEquals(1, f.sets());
        assertEquals(3, counting.take().size(), "a new session: every attribute serialized");

        // Read, not changed: only the cart is serialized (to compare its hash), nothing is written.
        MirrorFixture.Req read = f.request();
        read.lookup(id);
        Object cart = read.get("cart");
        read.end();
        f.settled();
        List<Object> serialized = counting.take();
        assertEquals(1, serialized.size(), "only the attribute read is checked: " + serialized);
        assertSame(cart, serialized.get(0));
        assertEquals(1, f.sets(), "unchanged: not written");
        assertEquals(1, f.stats().unchanged.sum());

        // Read and changed in place: written, with the change.
        MirrorFixture.Req change = f.request();
        change.lookup(id);
        ((List<String>) change.get("cart")).add("pear");
        change.end();
        f.settled();
        assertEquals(2, f.sets(), "changed in place: written");
        assertEquals(List.of("apple", "pear"), f.storedAttribute(id, "cart"));
        counting.take();

        // Two attributes read: no single one to check, the whole session is.
        MirrorFixture.Req two = f.request();
        two.lookup(id);
        two.get("cart");
        two.get("prefs");
        two.end();
        f.settled();
        assertEquals(3, counting.take().size(), "several read: every attribute checked");
        assertEquals(2, f.sets(), "still unchanged: not written");
    }
}
