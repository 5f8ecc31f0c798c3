package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.security.PayloadSeal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Format 5 as written and read back, the older formats still read, lineage stamps and the peeks. */
class SectionsFormatTest {

    static final String KEY = "sm:localhost/shop:ABCDEF0123";

    static Stream<Serializer> serializers() {
        return Stream.of(new FstSerializer(), new JavaSerializer());
    }

    static ClassLoader loader() {
        return SectionsFormatTest.class.getClassLoader();
    }

    static SessionData session(Map<String, Object> attrs) {
        return new SessionData("ID", 1234L, 1800, "FORM", new SessionCodecTest.User("alice"), attrs);
    }

    static Map<String, Object> attrs() {
        Map<String, Object> a = new HashMap<>();
        a.put("cart", new ArrayList<>(List.of("apple", "pear")));
        a.put("theme", "dark");
        a.put("visits", 3);
        return a;
    }

    /** Every format this agent reads, written by each serializer, restores the same session. */
    @ParameterizedTest
    @MethodSource("serializers")
    void everyFormatRoundTrips(Serializer s) throws Exception {
        PayloadSeal seal = new PayloadSeal(List.of("a secret"), true);
        SessionData data = session(attrs());
        byte[] f2 = LegacyPayloads.format2(s, data, 4);
        byte[] f3 = LegacyPayloads.write(s, data, 4, seal, 0, KEY);
        byte[] f1 = new byte[f2.length - 8];
        System.arraycopy(f2, 0, f1, 0, 12);
        System.arraycopy(f2, 20, f1, 12, f2.length - 20);
        f1[2] = PayloadHeader.LEGACY_FORMAT;
        byte[] f5 = new SessionCodec(null, -1, s).encode(data, loader(), 4, KEY).payload;
        byte[] f5sealed = new SessionCodec(seal, 0, s).encode(data, loader(), 4, KEY).payload;
        assertEquals(PayloadHeader.SEALED_FORMAT, f3[2]);
        assertEquals(PayloadHeader.SECTIONS_FORMAT, f5[2]);
        assertEquals(PayloadHeader.SIGNED | PayloadHeader.ENCRYPTED | PayloadHeader.COMPRESSED,
                LegacyPayloads.flags(f5sealed));

        Object[][] cases = {{f1, null, (byte) 1}, {f2, null, (byte) 2}, {f3, seal, (byte) 3}, {f5, null, (byte) 5},
            {f5sealed, seal, (byte) 5}};
        for (Object[] c : cases) {
            Decoded d = new SessionCodec((PayloadSeal) c[1], -1, s).decode((byte[]) c[0], loader(), "ID", KEY);
            assertEquals(c[2], d.format);
            assertEquals(attrs(), d.data.attributes(), "format " + c[2]);
            assertEquals("alice", d.data.principal().getName());
            assertEquals("FORM", d.data.authType());
            assertEquals(1800, d.data.maxInactiveSeconds());
            assertEquals(1234L, d.data.creationTime());
            assertEquals((byte) c[2] == 1 ? 0 : 4, d.version);
            assertTrue(d.dropped.isEmpty());
            assertEquals((byte) c[2] == 5 ? 3 : 0, d.lineage.size(), "lineage only in format 5");
        }
        assertEquals(4, SessionCodec.versionOf(f5));
        assertEquals(1800, SessionCodec.maxInactiveOf(f5sealed), "fixed offsets stay where they were");
        assertTrue(SessionCodec.writtenAtOf(f5) > 0);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void stampsFollowTheBaseAndARemovedAttributeLeavesAMarker(Serializer s) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, s);
        Map<String, Object> a = attrs();
        Encoded v1 = codec.encode(session(a), loader(), 1, KEY);
        assertEquals(0, SessionCodec.parentWriteIdOf(v1.payload), "a new session has no parent");
        a.put("visits", 4);
        a.remove("theme");
        Encoded v2 = codec.encode(session(a), loader(), 2, v1.writeId, v1.lineage, KEY, 0);
        Lineage l = v2.lineage;
        assertEquals(v1.writeId, SessionCodec.parentWriteIdOf(v2.payload));
        assertEquals(1, l.stamp(l.indexOf("cart")), "unchanged: keeps its stamp");
        assertEquals(2, l.stamp(l.indexOf("visits")), "changed: this version");
        assertTrue(l.removed(l.indexOf("theme")));
        assertEquals(2, l.stamp(l.indexOf("theme")));
        assertEquals(-1, l.indexOf("nothing"));
        Decoded d = codec.decode(v2.payload, loader(), "ID", KEY);
        assertEquals(l, d.lineage);
        assertEquals(v2.hash, d.hash);
        assertFalse(d.data.attributes().containsKey("theme"), "a marker restores nothing");

        // The marker is kept by later writes, with its stamp, until the name is set again.
        Encoded v3 = codec.encode(session(a), loader(), 3, v2.writeId, v2.lineage, KEY, 0);
        assertEquals(2, v3.lineage.stamp(v3.lineage.indexOf("theme")));
        assertEquals(v2.hash, v3.hash, "markers and stamps are not content");
        a.put("theme", "light");
        Encoded v4 = codec.encode(session(a), loader(), 4, v3.writeId, v3.lineage, KEY, 0);
        assertFalse(v4.lineage.removed(v4.lineage.indexOf("theme")));
        assertEquals(4, v4.lineage.stamp(v4.lineage.indexOf("theme")));
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void atMostTheNewestSixtyFourMarkersAreKept(Serializer s) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, s);
        Map<String, Object> a = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            a.put("a" + i, i);
        }
        Encoded e = codec.encode(session(a), loader(), 1, KEY);
        for (int i = 0; i < 100; i++) {
            a.remove("a" + i);
            e = codec.encode(session(a), loader(), 2 + i, e.writeId, e.lineage, KEY, 0);
        }
        assertEquals(64, e.lineage.size());
        for (int i = 0; i < 64; i++) {
            assertTrue(e.lineage.removed(i));
            assertTrue(e.lineage.stamp(i) >= 101 - 63, "the newest only: " + e.lineage);
        }
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void unchangedChecksOnlyTheNamedAttributes(Serializer s) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, s);
        Map<String, Object> a = attrs();
        Encoded e = codec.encode(session(a), loader(), 1, KEY);
        assertTrue(codec.unchanged(session(a), loader(), e.lineage, Set.of("cart")));
        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) a.get("cart");
        cart.add("plum");
        assertFalse(codec.unchanged(session(a), loader(), e.lineage, Set.of("cart")), "changed in place");
        assertTrue(codec.unchanged(session(a), loader(), e.lineage, Set.of("theme", "visits")),
                "the other attributes are not looked at");
        assertFalse(codec.unchanged(session(a), loader(), e.lineage, Set.of("new")) && a.containsKey("new"));
        a.put("new", 1);
        assertFalse(codec.unchanged(session(a), loader(), e.lineage, Set.of("new")), "added");
        a.remove("theme");
        assertFalse(codec.unchanged(session(a), loader(), e.lineage, Set.of("theme")), "removed");
        assertTrue(codec.unchanged(session(a), loader(), Lineage.EMPTY, Set.of("absent")));
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void describeListsTheHeaderAndSectionsWithoutDeserializing(Serializer s) throws Exception {
        PayloadSeal seal = new PayloadSeal(List.of("a secret"), true);
        SealedCodecTest.Counting counting = new SealedCodecTest.Counting(s);
        SessionCodec codec = new SessionCodec(seal, 0, counting);
        Map<String, Object> a = attrs();
        Encoded v1 = codec.encode(session(a), loader(), 1, KEY);
        a.remove("theme");
        Encoded v2 = codec.encode(session(a), loader(), 2, v1.writeId, v1.lineage, KEY, 0);
        int reads = counting.reads.get();
        StoredPayload p = codec.describe(v2.payload, KEY);
        assertEquals(reads, counting.reads.get(), "nothing deserialized");
        assertEquals(5, p.format);
        assertEquals(s.name(), p.serializer);
        assertEquals(2, p.version);
        assertEquals(v2.writeId, p.writeId);
        assertEquals(v1.writeId, p.parentWriteId);
        assertEquals(1800, p.maxInactive);
        assertEquals("FORM", p.authType);
        assertTrue(p.signed && p.encrypted && p.compressed);
        assertEquals(v2.payload.length, p.size);
        List<String> seen = new ArrayList<>();
        for (StoredPayload.StoredSection x : p.sections) {
            seen.add(x.name + ":" + x.kind + ":" + x.stamp);
        }
        assertEquals(List.of("(principal):PRINCIPAL:2", "cart:ATTRIBUTE:1", "theme:REMOVED:2", "visits:ATTRIBUTE:1"),
                seen);
        assertEquals(v2.sizes.stream().filter(z -> z.name.equals("cart")).findFirst().get().bytes,
                p.sections.get(1).length);
        assertNull(new SessionCodec(null, -1, s).describe(LegacyPayloads.format2(s, session(a), 3), KEY).sections
                .stream().findFirst().orElse(null), "older formats: no sections to list");
    }
}
