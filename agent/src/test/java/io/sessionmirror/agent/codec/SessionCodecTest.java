package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.security.Principal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SessionCodecTest {

    static Stream<Serializer> serializers() {
        return Stream.of(new FstSerializer(), new JavaSerializer());
    }

    static final class Bean implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<String> items = new ArrayList<>();
        AtomicInteger hits = new AtomicInteger();
    }

    static final class NotSerializable {
    }

    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final Object inner;

        Holder(Object inner) {
            this.inner = inner;
        }
    }

    static final class User implements Principal, Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;

        User(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }
    }

    private static SessionData session(Map<String, Object> attributes) {
        return new SessionData("ID", 1234L, 1800, null, null, attributes);
    }

    private static ClassLoader loader() {
        return SessionCodecTest.class.getClassLoader();
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void roundTripKeepsEveryAttributeAndTheMetadata(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Bean bean = new Bean();
        bean.items.add("apple");
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("bean", bean);
        attrs.put("alias", bean); // shared reference
        attrs.put("count", 3);
        attrs.put("day", LocalDate.of(2026, 11, 25));
        attrs.put("list", new ArrayList<>(Arrays.asList(1, 2, 3)));
        SessionData data = new SessionData("ID", 42L, 600, "FORM", new User("alice"), attrs);

        Encoded enc = codec.encode(data, loader(), 1, "");
        assertTrue(enc.skipped.isEmpty());
        Decoded dec = codec.decode(enc.payload, loader(), "ID.route", "");

        assertEquals("ID.route", dec.data.id());
        assertEquals(42L, dec.data.creationTime());
        assertEquals(600, dec.data.maxInactiveSeconds());
        assertEquals("FORM", dec.data.authType());
        assertEquals("alice", dec.data.principal().getName());
        assertEquals(attrs.keySet(), dec.data.attributes().keySet());
        Bean back = (Bean) dec.data.attributes().get("bean");
        assertEquals(Arrays.asList("apple"), back.items);
        // Format 5 serializes every attribute on its own: an object shared by two becomes two equal copies.
        assertNotSame(back, dec.data.attributes().get("alias"), "each attribute is its own section");
        assertEquals(back.items, ((Bean) dec.data.attributes().get("alias")).items);
        assertEquals(LocalDate.of(2026, 11, 25), dec.data.attributes().get("day"));
        assertEquals(enc.hash, dec.hash);
        assertEquals(enc.writeId, dec.writeId);
        assertEquals(enc.writeId, SessionCodec.writeIdOf(enc.payload));
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void hashIsStableForEqualContentAndChangesOnInPlaceMutation(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Bean bean = new Bean();
        Map<String, Object> attrs = new ConcurrentHashMap<>();
        attrs.put("bean", bean);
        attrs.put("b", "x");
        long first = codec.encode(session(attrs), loader(), 1, "").hash;
        assertEquals(first, codec.encode(session(new HashMap<>(attrs)), loader(), 1, "").hash, "same content, same hash");
        bean.items.add("pear"); // in place, no setAttribute
        long second = codec.encode(session(attrs), loader(), 1, "").hash;
        assertNotEquals(first, second);
        bean.hits.incrementAndGet();
        assertNotEquals(second, codec.encode(session(attrs), loader(), 1, "").hash);
        SessionData longer = new SessionData("ID", 1234L, 60, null, null, attrs);
        assertNotEquals(codec.encode(session(attrs), loader(), 1, "").hash, codec.encode(longer, loader(), 1, "").hash,
                "the timeout is part of what is stored");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void anUnchangedSessionIsNotBuiltIntoAValue(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Bean bean = new Bean();
        Map<String, Object> attrs = new ConcurrentHashMap<>();
        attrs.put("bean", bean);
        Encoded written = codec.encode(session(attrs), loader(), 1, "k");
        Encoded same = codec.encode(session(attrs), loader(), 2, "k", written.hash);
        assertEquals(written.hash, same.hash);
        assertNull(same.payload, "nothing to write, so no value is built");
        bean.items.add("pear");
        Encoded changed = codec.encode(session(attrs), loader(), 2, "k", written.hash);
        assertNotEquals(written.hash, changed.hash);
        assertEquals(2, SessionCodec.versionOf(changed.payload));
        assertEquals(List.of("pear"), ((Bean) codec.decode(changed.payload, loader(), "ID", "").data.attributes().get("bean")).items);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void nonSerializableAttributesAreSkippedAloneAndReported(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("ok", "kept");
        attrs.put("helper", new NotSerializable());
        attrs.put("nested", new Holder(new NotSerializable()));
        attrs.put("fine", new Holder("also kept"));
        Encoded enc = codec.encode(session(attrs), loader(), 1, "");

        assertEquals(2, enc.skipped.size(), enc.skipped.toString());
        Set<String> names = new java.util.HashSet<>();
        for (SkippedAttribute s : enc.skipped) {
            names.add(s.name);
        }
        assertEquals(new java.util.HashSet<>(Arrays.asList("helper", "nested")), names);
        SkippedAttribute helper = enc.skipped.stream().filter(s -> s.name.equals("helper")).findFirst().get();
        assertEquals(NotSerializable.class.getName(), helper.className);
        assertTrue(helper.reason.contains("Serializable"), helper.reason);

        Map<String, Object> back = codec.decode(enc.payload, loader(), "ID", "").data.attributes();
        assertEquals(new java.util.HashSet<>(Arrays.asList("ok", "fine")), back.keySet());
        assertEquals("also kept", ((Holder) back.get("fine")).inner);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void classesResolveThroughTheGivenLoader(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("bean", new Bean());
        byte[] payload = codec.encode(session(attrs), loader(), 1, "").payload;
        Set<String> asked = ConcurrentHashMap.newKeySet();
        ClassLoader recording = new ClassLoader(loader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                asked.add(name);
                return super.loadClass(name, resolve);
            }
        };
        codec.decode(payload, recording, "ID", "");
        assertTrue(asked.contains(Bean.class.getName()), asked.toString());
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void corruptOrForeignPayloadsAreRejectedWithAReason(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("a", "b");
        byte[] good = codec.encode(session(attrs), loader(), 1, "").payload;

        CorruptPayloadException e = assertThrows(CorruptPayloadException.class,
                () -> codec.decode("hello world, not a session".getBytes(), loader(), "ID", ""));
        assertTrue(e.getMessage().contains("bad header"), e.getMessage());
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        assertTrue(assertThrows(CorruptPayloadException.class, () -> codec.decode(truncated, loader(), "ID", ""))
                .getMessage().contains("truncated"));
        byte[] future = good.clone();
        future[2] = 99;
        assertTrue(assertThrows(CorruptPayloadException.class, () -> codec.decode(future, loader(), "ID", ""))
                .getMessage().contains("format 99"));
        byte[] unknownSerializer = good.clone();
        unknownSerializer[3] = 42;
        assertTrue(assertThrows(CorruptPayloadException.class,
                () -> codec.decode(unknownSerializer, loader(), "ID", "")).getMessage().contains("serializer id 42"));
        assertEquals(0, SessionCodec.writeIdOf(new byte[] {1, 2, 3}));
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void readsWhatTheOtherSerializerWrote(Serializer serializer) throws Exception {
        Serializer other = serializer instanceof FstSerializer ? new JavaSerializer() : new FstSerializer();
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("a", "b");
        byte[] payload = new SessionCodec(null, -1, other).encode(session(attrs), loader(), 1, "").payload;
        SessionCodec reader = new SessionCodec(null, -1, serializer, other);
        assertEquals("b", reader.decode(payload, loader(), "ID", "").data.attributes().get("a"));
        assertNull(new SessionCodec(null, -1, serializer).decode(new SessionCodec(null, -1, serializer).encode(
                session(new HashMap<>()), loader(), 1, "").payload, loader(), "ID", "").data.principal());
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void encodingTheSameContentTwiceGivesTheSameGraph(Serializer serializer) throws Exception {
        Map<String, Object> a = new HashMap<>();
        Map<String, Object> b = new java.util.TreeMap<>();
        for (int i = 0; i < 20; i++) {
            a.put("k" + i, i);
            b.put("k" + (19 - i), 19 - i);
        }
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        byte[] pa = codec.encode(session(a), loader(), 1, "").payload;
        byte[] pb = codec.encode(session(b), loader(), 1, "").payload;
        // the header holds a random write id and a time; the graph after it is identical
        assertArrayEquals(Arrays.copyOfRange(pa, 28, pa.length), Arrays.copyOfRange(pb, 28, pb.length));
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void versionsOrderCopiesAndFormatOneIsStillRead(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("visits", 3);
        byte[] v7 = codec.encode(session(attrs), loader(), 7, "").payload;
        byte[] v8 = codec.encode(session(attrs), loader(), 8, "").payload;
        assertEquals(7, SessionCodec.versionOf(v7));
        assertEquals(7, codec.decode(v7, loader(), "id", "").version);
        assertTrue(SessionCodec.compareCopies(v8, v7) > 0, "higher version is newer");
        assertTrue(SessionCodec.compareCopies(v7, v8) < 0);
        assertTrue(SessionCodec.compareCopies(v7, null) > 0, "any copy beats none");
        assertEquals(0, SessionCodec.compareCopies(null, null));
        assertEquals(-1, SessionCodec.versionOf(new byte[] {1, 2, 3}));
        Thread.sleep(2);
        byte[] laterV7 = codec.encode(session(attrs), loader(), 7, "").payload;
        assertTrue(SessionCodec.compareCopies(laterV7, v7) > 0, "equal versions: the later write wins");

        // Format 1: the header of format 2 without the version.
        byte[] v7f2 = LegacyPayloads.format2(serializer, session(attrs), 7);
        byte[] legacy = new byte[v7f2.length - 8];
        System.arraycopy(v7f2, 0, legacy, 0, 12);
        System.arraycopy(v7f2, 20, legacy, 12, v7f2.length - 20);
        legacy[2] = 1;
        Decoded d = codec.decode(legacy, loader(), "id", "");
        assertEquals(0, d.version);
        assertEquals(3, d.data.attributes().get("visits"));
        assertEquals(0, SessionCodec.versionOf(legacy));
        assertEquals(session(attrs).maxInactiveSeconds(), SessionCodec.maxInactiveOf(v7));
    }
}
