package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.security.GadgetTest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Hostile Memcached contents against real Tomcat servers: tampered, moved, unsigned and planted values,
 * a gadget chain, an oversized session, an expired one; and that secrets stay out of the logs.
 */
class SecurityIT extends FaultTest {

    static final Duration STORED = Duration.ofSeconds(10);
    static final String SECRET = "it-secret-" + Long.toHexString(System.nanoTime()) + "-long-enough";

    private static Path secretFile() throws Exception {
        Path f = Servers.workDir("secret").resolve("secret");
        Files.write(f, List.of("# the current secret", SECRET));
        return f;
    }

    private static String plantedId(String tag) {
        // A well-formed Tomcat session id (32 hex digits) that no server issued.
        return (tag + "00000000000000000000000000000000").substring(0, 32).toUpperCase();
    }

    private static boolean contains(byte[] bytes, String text) {
        return bytes != null && new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
    }

    private static int count(String log, String text) {
        int n = 0;
        for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void signedEncryptedSessionsFailOverAndChangedOnesAreRefused() throws Exception {
        Memcached m = node();
        ServerProcess a = tomcat("A", "nodes=" + m.address() + ",secret.file=" + secretFile() + ",encrypt=true");
        // B has the same secret on its command line: it works, with a warning that it is visible there.
        ServerProcess b = tomcat("B", "nodes=" + m.address() + ",secret=" + SECRET + ",encrypt=true");
        assertTrue(b.log().contains("'secret' is given in the -javaagent options, which process listings show"),
                b.log());
        assertFalse(a.log().contains("is given in the"), a.log());

        Browser alice = new Browser();
        alice.get(a.url("/shop/cart/add?item=card-4111-1111&format=text"));
        String aliceKey = key(alice.sessionId());
        Browser bob = new Browser();
        bob.get(a.url("/shop/cart/add?item=milk&format=text"));
        String bobKey = key(bob.sessionId());
        byte[] aliceStored = m.await(aliceKey, Objects::nonNull, STORED);
        byte[] bobStored = m.await(bobKey, Objects::nonNull, STORED);
        assertFalse(contains(aliceStored, "card-4111"), "encrypted: the cart is not readable in Memcached");
        assertFalse(contains(aliceStored, "io.sessionmirror.demo"), "not even its class names");

        // Alice's value changed in one byte; Bob's value copied under a forged id; an unsigned value planted.
        byte[] tampered = aliceStored.clone();
        tampered[tampered.length - 40] ^= 1;
        m.set(aliceKey, tampered, 0);
        String movedId = plantedId("BADC0FFEE");
        m.set(key(movedId), bobStored, 0);
        String unsignedId = plantedId("UNS1GNED");
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("visits", 99);
        m.set(key(unsignedId), new SessionCodec(null, -1, new FstSerializer())
                .encode(new SessionData(unsignedId, 1L, 1800, null, null, attrs), getClass().getClassLoader(), 1,
                        key(unsignedId)).payload, 0);
        a.kill9();

        Map<String, String> aliceOnB = alice.get(b.url("/shop/session"));
        assertEquals("none", aliceOnB.get("session"), "a changed value is treated as missing");
        for (String id : List.of(movedId, unsignedId)) {
            Browser attacker = new Browser();
            attacker.sessionId(id);
            assertEquals("none", attacker.get(b.url("/shop/session")).get("session"), id + " is not restored");
            Map<String, String> created = attacker.get(b.url("/shop/counter?format=text"));
            assertNotEquals(id, created.get("id"), "no session fixation: a new session gets a new id");
            assertEquals("1", created.get("attr.visits"));
        }
        Map<String, String> bobOnB = bob.get(b.url("/shop/session"));
        assertEquals("[milk]", bobOnB.get("attr.cart"), "an intact signed, encrypted session fails over");
        assertEquals("false", bobOnB.get("new"));

        String log = b.awaitLog("not signed", STORED);
        assertTrue(log.contains("signature does not match"), log);
        assertTrue(log.contains("moved from another session's key"), log);
        // Until the agent's short memory of recent misses ends, a lookup is answered from it; ask again until a
        // lookup reads the value from memcached again (its get counter moves), then count the reports.
        Poll.until("a lookup reading alice's value again", Duration.ofSeconds(20), () -> {
            long gets = m.stat("cmd_get");
            assertEquals("none", alice.get(b.url("/shop/session")).get("session"));
            return m.stat("cmd_get") > gets;
        });
        String aliceRejected = "Stored session " + alice.sessionId().substring(0, 6) + "... of Tomcat web app '/shop' on"
                + " host localhost was rejected";
        assertEquals(1, count(b.log(), aliceRejected), "reported once per key: " + b.log());
        for (ServerProcess s : List.of(a, b)) {
            assertFalse(s.log().contains(SECRET), "the secret is never logged");
            assertFalse(s.log().contains("No 'secret' is set"), s.log());
        }
    }

    @Test
    void aPlantedGadgetChainIsNotInstantiated() throws Exception {
        Memcached m = node();
        // The vulnerable library is on the server's class path, as a web app's dependency would be.
        String library = Path.of(org.apache.commons.collections.Transformer.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString();
        File marker = Servers.workDir("gadget").resolve("instantiated").toFile();
        String id = plantedId("6AD6E7");
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("cart", GadgetTest.gadget(marker));
        byte[] planted = new SessionCodec(null, -1, new FstSerializer()).encode(new SessionData(id, 1L, 1800, null, null, attrs),
                getClass().getClassLoader(), 1, key(id)).payload;
        m.set(key(id), planted, 0);

        ServerProcess a = started(Servers.embeddedTomcat(Servers.TOMCAT10, "A", Memcached.freePort(),
                "nodes=" + m.address(), List.of(), library)).awaitReady("/shop/stats", READY);
        Browser attacker = new Browser();
        attacker.sessionId(id);
        assertEquals("none", attacker.get(a.url("/shop/session")).get("session"));
        String log = a.awaitLog("denied by the deserialization filter", STORED);
        assertTrue(log.contains("org.apache.commons.collections."), log);
        assertTrue(log.contains("No 'secret' is set: Memcached contents are trusted"), log);
        assertFalse(marker.exists(), "the gadget chain did not run");

        // Control: the same server, told to allow exactly the chain's classes, runs it. The test can fail.
        ServerProcess unsafe = started(Servers.embeddedTomcat(Servers.TOMCAT10, "U", Memcached.freePort(),
                "nodes=" + m.address() + ",classes.allow=org.apache.commons.collections.,"
                        + "org.apache.commons.collections.functors.,org.apache.commons.collections.keyvalue.TiedMapEntry,"
                        + "org.apache.commons.collections.map.LazyMap,java.io.File,java.lang.Class", List.of(), library))
                .awaitReady("/shop/stats", READY);
        attacker.get(unsafe.url("/shop/session"));
        assertTrue(marker.exists(), "control: with the filter lifted the planted chain runs on the server");
    }

    @Test
    void anOversizedSessionIsNotWrittenAndAnExpiredOneIsNotRestored() throws Exception {
        Memcached m = node();
        String options = "nodes=" + m.address() + ",max.size=64k";
        ServerProcess a = tomcat("A", options);
        ServerProcess b = tomcat("B", options);

        Browser big = new Browser();
        Map<String, String> page = big.get(a.url("/shop/attach?kb=100&format=text"));
        assertEquals("A", page.get("server"), "the request is served");
        String log = a.awaitLog("over max.size 65536", STORED);
        assertTrue(log.contains("Largest attributes: 'attachment' ([B) 1024"), log);
        assertNull(m.get(key(big.sessionId())), "nothing written");

        Browser brief = new Browser();
        brief.get(a.url("/shop/timeout?seconds=2&format=text"));
        brief.get(a.url("/shop/counter?format=text"));
        Browser normal = new Browser();
        normal.get(a.url("/shop/counter?format=text"));
        assertNotNull(m.await(key(brief.sessionId()), Objects::nonNull, STORED));
        m.await(key(normal.sessionId()), Objects::nonNull, STORED);
        // The 2 s session expires, its stored copy with it (memcached drops it, or the end is stored over it).
        m.await(key(brief.sessionId()), v -> v == null || io.sessionmirror.agent.codec.StoredCopy.isTombstone(v),
                Duration.ofSeconds(20));
        a.kill9();

        assertEquals("none", brief.get(b.url("/shop/session")).get("session"), "an expired session is not restored");
        assertEquals("1", normal.get(b.url("/shop/session")).get("attr.visits"), "control: a live one is");
    }
}
