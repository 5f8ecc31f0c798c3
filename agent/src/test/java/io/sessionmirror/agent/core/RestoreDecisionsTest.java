package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.security.PayloadSeal;
import io.sessionmirror.agent.store.InMemorySessionStore.Fault;
import io.sessionmirror.agent.store.InMemorySessionStore.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A lookup that finds no local session: what is restored from the store, and what is not. */
class RestoreDecisionsTest {

    private MirrorFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aStoredCopyIsRestoredUnderTheSameIdWithItsAttributes() throws Exception {
        f = MirrorFixture.async();
        f.seed("RESTORE001", 3, Map.of("user", "alice", "cart", 2));
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.lookup("RESTORE001");
        assertNotNull(s, "restored");
        assertEquals("RESTORE001", s.id);
        assertEquals("alice", s.attributes.get("user"));
        assertEquals(2, s.attributes.get("cart"));
        assertEquals(1, f.server.restores.get());
        assertEquals(1, f.stats().loadHits.sum());
        r.end();
    }

    @Test
    void aRestoredSessionThatIsNotChangedIsNotWrittenBack() throws Exception {
        f = MirrorFixture.async();
        f.seed("RESTORE002", 3, Map.of("user", "alice"));
        int setsBefore = f.sets();
        assertEquals("alice", f.read("RESTORE002", "user"));
        assertEquals(setsBefore, f.sets(), "the restored copy is what is stored: nothing to write");
        assertEquals(0, f.stats().writes.sum());
    }

    @Test
    void aRestoredSessionContinuesItsVersionsSoItsNextWriteIsTheNewest() throws Exception {
        f = MirrorFixture.async();
        f.seed("RESTORE003", 7, Map.of("user", "alice"));
        f.write("RESTORE003", "cart", "apple");
        Decoded d = f.decoded("RESTORE003");
        assertEquals(8, d.version, "the version it loaded, plus one");
        assertEquals("alice", d.data.attributes().get("user"));
        assertEquals("apple", d.data.attributes().get("cart"));
        assertEquals(0, f.stats().refusedWrites.sum());
    }

    @Test
    void anUnknownIdIsNotRestoredAndTheServerMakesANewSession() {
        f = MirrorFixture.async();
        assertNull(f.request().lookup("UNKNOWN001"));
        assertEquals(0, f.server.restores.get());
        assertEquals(1, f.stats().loadMisses.sum());
    }

    @Test
    void aMissIsRememberedBrieflyInStickyModeSoOneRequestAsksTheStoreOnce() {
        f = MirrorFixture.async();
        MirrorFixture.Req r = f.request();
        assertNull(r.lookup("UNKNOWN002"));
        assertNull(r.lookup("UNKNOWN002"));
        assertNull(r.lookup("UNKNOWN002"));
        assertEquals(1, f.gets(), "asked once, the misses after it remembered");
    }

    @Test
    void aMissIsNotRememberedInNonStickyModeWhereAnotherServerMayStoreItAnyMoment() throws Exception {
        f = new MirrorFixture(new MirrorFixture.Options().nonSticky(null));
        assertNull(f.request().lookup("LATER00001"));
        f.seed("LATER00001", 1, Map.of("user", "bob"));
        FakeServer.Session s = f.request().lookup("LATER00001");
        assertNotNull(s, "stored by another server right after the miss");
        assertEquals("bob", s.attributes.get("user"));
    }

    @Test
    void aTombstonedIdIsNeverRestored() throws Exception {
        f = MirrorFixture.async();
        f.seed("ENDED00001", 2, Map.of("user", "alice"));
        f.store.tombstone(f.key("ENDED00001"), 60);
        assertNull(f.request().lookup("ENDED00001"));
        assertEquals(0, f.server.restores.get());
        assertEquals(1, f.stats().loadMisses.sum());
    }

    @Test
    void aCorruptStoredEntryIsIgnoredAndCountedAndTheServerGoesOn() throws Exception {
        f = MirrorFixture.async();
        byte[] good = f.services.codec.encode(new SessionData("CORRUPT001", 1L, 1800, null, null,
                Map.of("user", "alice")), getClass().getClassLoader(), 1, f.key("CORRUPT001")).payload;
        byte[] bad = good.clone();
        for (int i = bad.length - 24; i < bad.length; i++) {
            bad[i] = (byte) 0xA5; // the serialized graph, broken; the header still reads
        }
        f.store.set(f.key("CORRUPT001"), bad, 60);
        assertNull(f.request().lookup("CORRUPT001"));
        assertEquals(0, f.server.restores.get());
        assertEquals(1, f.stats().failures.sum(), "counted");
        assertEquals(0, f.stats().loadHits.sum());
    }

    @Test
    void aTamperedSignedEntryIsRejectedBeforeItIsDeserializedAndCounted() throws Exception {
        SessionCodec sealed = new SessionCodec(new PayloadSeal(List.of("correct horse battery staple"), false), -1,
                new JavaSerializer());
        f = new MirrorFixture(new MirrorFixture.Options().codec(sealed));
        byte[] signed = sealed.encode(new SessionData("TAMPER0001", 1L, 1800, null, null, Map.of("role", "user")),
                getClass().getClassLoader(), 1, f.key("TAMPER0001")).payload;
        signed[signed.length - 40] ^= 1; // a bit of the body, after the signature was computed
        f.store.set(f.key("TAMPER0001"), signed, 60);
        assertNull(f.request().lookup("TAMPER0001"));
        assertEquals(0, f.server.restores.get());
        assertEquals(1, f.stats().rejectedEntries.sum());
    }

    @Test
    void aSignedEntryThatIsIntactIsRestored() throws Exception {
        SessionCodec sealed = new SessionCodec(new PayloadSeal(List.of("correct horse battery staple"), false), -1,
                new JavaSerializer());
        f = new MirrorFixture(new MirrorFixture.Options().codec(sealed));
        f.seed("SIGNED0001", 1, Map.of("role", "user"));
        assertEquals("user", f.request().lookup("SIGNED0001").attributes.get("role"));
        assertEquals(0, f.stats().rejectedEntries.sum());
    }

    @Test
    void aStoreThatIsDownGivesNoSessionIsCountedAndIsNotRememberedAsAMiss() throws Exception {
        f = MirrorFixture.async();
        f.seed("DOWN000001", 1, Map.of("user", "alice"));
        f.store.goDown();
        long t0 = System.nanoTime();
        assertNull(f.request().lookup("DOWN000001"), "the server goes on without it");
        assertTrue(System.nanoTime() - t0 < f.store.timeoutMillis() * 1_000_000L, "within the store's timeout");
        assertEquals(1, f.stats().storeFailures.sum());
        f.store.heal();
        FakeServer.Session s = f.request().lookup("DOWN000001");
        assertNotNull(s, "the store answers again: restored, the failure was not remembered as a miss");
        assertEquals("alice", s.attributes.get("user"));
    }

    @Test
    void aLookupThatTimesOutGivesNoSessionAndTheNextLookupRestores() throws Exception {
        f = MirrorFixture.async();
        f.seed("SLOW000001", 1, Map.of("user", "alice"));
        f.store.failNext(Op.GET, Fault.TIME_OUT);
        assertNull(f.request().lookup("SLOW000001"));
        assertEquals(1, f.stats().storeFailures.sum());
        assertNotNull(f.request().lookup("SLOW000001"));
    }

    @Test
    void aLookupOfAWebAppThatIsNotMirroredNeverAsksTheStore() {
        f = MirrorFixture.async();
        assertNull(f.mirror.sessionNotFound(FakeServer.FOREIGN_MANAGER, "FOREIGN001", null));
        assertEquals(0, f.gets());
    }

    @Test
    void aSessionRestoredByAnotherRequestMeanwhileIsReturnedNotRestoredTwice() throws Exception {
        f = MirrorFixture.async();
        f.seed("TWICE00001", 1, Map.of("user", "alice"));
        FakeServer.Session first = f.request().lookup("TWICE00001");
        // A second request's manager lookup ran before the first restore was in the map (sessionNotFound again).
        Object second = f.mirror.sessionNotFound(FakeServer.MANAGER, "TWICE00001", null);
        assertEquals(first, second);
        assertEquals(1, f.server.restores.get());
    }
}
