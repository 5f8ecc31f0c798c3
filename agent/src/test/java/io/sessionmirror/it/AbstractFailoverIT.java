package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.SessionKeys;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The failover contract, run against every supported server: each subclass only says how to start one
 * server (in its own JVM, with the agent, with the demo shop deployed at /shop and /shop2 sharing the
 * session cookie). Servers A and B share one real store, the {@link ServerTest#backend}: memcached, unless a
 * subclass starts another.
 *
 * <p>A case needs fresh sessions, not fresh JVMs: the servers a case leaves alive are lent to the next case of
 * the class (every case uses new browsers, so new session ids, and compares the shop's event counters before and
 * after rather than with zero). A server a case killed or stopped, or any server of a case that failed, is never
 * lent again; those lent are quiet (their queued writes have landed, {@link WriteBarrier}) before the next case
 * starts. This halves the server JVMs a class starts (11 to about 6).
 */
abstract class AbstractFailoverIT extends ServerTest {

    /** Live servers of this class that no case is using; stopped after the class. */
    private static final Deque<ServerProcess> IDLE = new ArrayDeque<>();
    /** Gives every server of the class its own name, so that "which server answered" stays a real check. */
    private static int launched;

    /** The servers lent to or started for the current case. */
    private final List<ServerProcess> inUse = new ArrayList<>();

    /** After each case: its servers go back to the idle ones if they are alive and the case passed. */
    @RegisterExtension
    final AfterEachCallback recycle = context -> {
        boolean passed = context.getExecutionException().isEmpty();
        Throwable notQuiet = null;
        for (ServerProcess s : inUse) {
            if (passed && s.isAlive() && notQuiet == null) {
                try {
                    WriteBarrier.await(s, backend, STORED);
                    IDLE.add(s);
                    continue;
                } catch (Exception | AssertionError e) {
                    notQuiet = e;
                }
            }
            s.close();
        }
        inUse.clear();
        if (notQuiet != null) {
            throw new AssertionError("a server did not get quiet after the case", notQuiet);
        }
    };

    @AfterAll
    static void stopIdleServers() throws Exception {
        for (ServerProcess s : IDLE) {
            s.close();
        }
        IDLE.clear();
        launched = 0;
    }

    /** Starts a server named {@code name} on {@code port} with the agent and these options. */
    protected abstract ServerProcess launch(String name, int port, String agentOptions) throws Exception;

    protected String options() {
        return backend.agentOptions();
    }

    /**
     * A server for the role {@code role} (A, B, C) of a case: an idle one of an earlier case, else a new one named
     * for the role and a serial number (e.g. B2). Assert on {@link ServerProcess#name()}, not on the role.
     */
    ServerProcess start(String role) throws Exception {
        ServerProcess s;
        while ((s = IDLE.poll()) != null && !s.isAlive()) {
            s.close();
        }
        if (s == null) {
            s = launch(role + (++launched), Memcached.freePort(), options());
            inUse.add(s);
            s.awaitReady("/shop/stats", READY);
        } else {
            inUse.add(s);
        }
        return s;
    }

    /** The shop's counters of session events on a server (created, attributesAdded, ...), as numbers. */
    static Map<String, Long> events(ServerProcess s) throws Exception {
        Map<String, Long> events = new HashMap<>();
        for (Map.Entry<String, String> e : new Browser().get(s.url("/shop/stats")).entrySet()) {
            if (e.getValue().matches("-?\\d+")) {
                events.put(e.getKey(), Long.parseLong(e.getValue()));
            }
        }
        return events;
    }

    /**
     * Asserts that a session id a page shows is the browser's session: equal once route suffixes are
     * stripped (Jetty's cookie says {@code node0abc.node0} where the page says {@code node0abc}).
     */
    static void assertSameSession(String cookie, String pageId, String message) {
        assertNotNull(cookie, message);
        assertNotNull(pageId, message);
        assertEquals(SessionKeys.stripRoute(cookie), SessionKeys.stripRoute(pageId), message);
    }

    @Test
    @Tag(ServerTest.EVERY_JDK)
    void killedServersSessionResumesOnAnotherWithEveryAttributeAndTheSameId() throws Exception {
        ServerProcess a = start("A");
        ServerProcess b = start("B");
        Browser user = new Browser();

        Map<String, String> first = user.get(a.url("/shop/cart/add?item=apple&format=text"));
        assertEquals(a.name(), first.get("server"));
        String id = user.sessionId();
        assertNotNull(id, "the shop creates a session");
        user.get(a.url("/shop/counter?format=text"));
        user.get(a.url("/shop/counter?format=text"));
        // A later request changes the cart in place: getAttribute, then add, never setAttribute again. It comes
        // after the counts so that its copy in memcached (a snapshot of the whole session) proves the second
        // count's write landed too: with write=async, kill -9 before that would test the documented loss window.
        user.get(a.url("/shop/cart/add?item=pear-in-place&format=text"));
        Map<String, String> onA = user.get(a.url("/shop/track?page=checkout&format=text"));
        assertEquals("[apple, pear-in-place]", onA.get("attr.cart"));
        assertEquals("ClickTracker[checkout]", onA.get("attr.tracker"));
        backend.await(key("/shop", id), containsAll("pear-in-place", "visits"), STORED);
        String logOfA = a.awaitLog("'tracker' (io.sessionmirror.demo.shop.ClickTracker)", STORED);
        assertTrue(logOfA.contains("does not implement java.io.Serializable"), logOfA);
        Map<String, Long> eventsBefore = events(b);

        a.kill9();
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertEquals(b.name(), onB.get("server"));
        assertSameSession(id, onB.get("id"), "same session id after failover");
        assertSameSession(id, Objects.requireNonNullElse(user.sessionId(), id), "no new session cookie");
        assertEquals("false", onB.get("new"), "the user's session, not a new one");
        assertEquals("[apple, pear-in-place]", onB.get("attr.cart"), "the in-place change arrived");
        assertEquals("2", onB.get("attr.visits"));
        assertEquals(onA.get("created"), onB.get("created"), "creation time kept");
        assertEquals("1800", onB.get("maxInactive"));
        assertFalse(onB.containsKey("attr.tracker"), "the non-serializable attribute is skipped alone");
        assertEquals("1", onB.get("cartActivations"), "sessionDidActivate was called on the restored attribute");

        Map<String, Long> eventsAfter = events(b);
        assertEquals(eventsBefore.get("created"), eventsAfter.get("created"), "restoring fires no session-created event");
        assertEquals(eventsBefore.get("attributesAdded"), eventsAfter.get("attributesAdded"),
                "restoring fires no attribute-added event");

        // The session carries on on B: a change there is mirrored too.
        assertEquals("3", user.get(b.url("/shop/counter?format=text")).get("attr.visits"));
        assertSameSession(id, user.sessionId(), "still the same session");
    }

    @Test
    @Tag(ServerTest.CONTRACT)
    void aRequestedIdThatIsNotStoredIsNeverAdopted() throws Exception {
        ServerProcess a = start("A");
        Browser attacker = new Browser();
        String chosen = "F1XA7104" + Long.toHexString(System.nanoTime()).toUpperCase() + "0000000000000000";
        chosen = chosen.substring(0, 32);
        attacker.sessionId(chosen); // a link with a session id planted by an attacker (session fixation)
        assertEquals("none", attacker.get(a.url("/shop/session")).get("session"), "the fallback finds nothing");
        Map<String, String> created = attacker.get(a.url("/shop/counter?format=text"));
        assertEquals("true", created.get("new"));
        assertNotEquals(chosen, SessionKeys.stripRoute(created.get("id")), "the new session gets a new id");
        assertNotEquals(chosen, SessionKeys.stripRoute(attacker.sessionId()), "and a new cookie");
    }

    @Test
    @Tag(ServerTest.CONTRACT)
    void onlyAChangedSessionIsWrittenAndThenExactlyOnce() throws Exception {
        ServerProcess a = start("A");
        Browser user = new Browser();
        user.get(a.url("/shop/cart/add?item=apple&format=text"));
        user.get(a.url("/shop/counter?format=text"));
        String key = key("/shop", user.sessionId());
        backend.await(key, containsAll("apple", "visits"), STORED);
        WriteBarrier.await(a, backend, STORED); // anything else still queued has landed
        int barrier = backend.barrierRounds(); // the writes of one barrier
        long sets = backend.writes();
        long touches = backend.touches();

        for (int i = 0; i < 5; i++) {
            // reads every attribute, the cart (mutable) included: re-checked, unchanged, not written
            assertEquals("[apple]", user.get(a.url("/shop/session")).get("attr.cart"));
            user.get(a.url("/shop/stats")); // does not touch the session at all
        }
        // A write or touch the reads queued would have landed before the barrier's own write (its one set).
        WriteBarrier.await(a, backend, STORED);
        assertEquals(sets + barrier, backend.writes(), "no write when nothing changed (only the barrier's)");
        assertEquals(touches, backend.touches(), "touches are throttled (at most one a minute here)");

        user.get(a.url("/shop/cart/add?item=pear&format=text")); // in place
        backend.await(key, containsAll("pear"), STORED);
        WriteBarrier.await(a, backend, STORED);
        assertEquals(sets + 2 * barrier + 1, backend.writes(), "one write for one changed request (and the two barriers')");
    }

    @Test
    @Tag(ServerTest.EVERY_JDK)
    void invalidateDeletesTheStoredCopyAndAStopDoesNot() throws Exception {
        ServerProcess a = start("A");
        ServerProcess b = start("B");
        Browser leaving = new Browser();
        leaving.get(a.url("/shop/counter?format=text"));
        String leavingKey = key("/shop", leaving.sessionId());
        backend.await(leavingKey, containsAll("visits"), STORED);
        Browser staying = new Browser();
        staying.get(b.url("/shop/counter?format=text"));
        String stayingKey = key("/shop", staying.sessionId());
        backend.await(stayingKey, containsAll("visits"), STORED);

        a.kill9();
        assertEquals("1", leaving.get(b.url("/shop/session")).get("attr.visits"));
        assertEquals("session=none", "session=" + leaving.get(b.url("/shop/logout?format=text")).getOrDefault("session", "?"));
        backend.await(leavingKey, io.sessionmirror.agent.codec.StoredCopy::isTombstone, STORED);

        b.stop(); // graceful: Tomcat expires its sessions while stopping, which must not delete them
        assertFalse(b.isAlive());
        assertNotNull(backend.get(stayingKey), "a shutdown keeps the stored copy");
        ServerProcess c = start("C");
        assertEquals("1", staying.get(c.url("/shop/session")).get("attr.visits"));
    }

    @Test
    @Tag(ServerTest.CONTRACT)
    void twoWebAppsWithTheSameSessionIdStayIsolated() throws Exception {
        ServerProcess a = start("A");
        ServerProcess b = start("B");
        Browser user = new Browser();
        user.get(a.url("/shop/counter?format=text"));
        String id = user.sessionId();
        Map<String, String> other = user.get(a.url("/shop2/counter?format=text"));
        assertSameSession(id, other.get("id"), "the shared cookie gives both apps the same id");
        user.get(a.url("/shop2/counter?format=text"));
        user.get(a.url("/shop2/cart/add?item=only-in-shop2&format=text"));
        backend.await(key("/shop", id), containsAll("visits"), STORED);
        backend.await(key("/shop2", id), containsAll("only-in-shop2"), STORED);
        assertNotEquals(key("/shop", id), key("/shop2", id));

        a.kill9();
        Map<String, String> shop = user.get(b.url("/shop/session"));
        Map<String, String> shop2 = user.get(b.url("/shop2/session"));
        assertSameSession(id, shop.get("id"), "shop's session");
        assertSameSession(id, shop2.get("id"), "shop2's session");
        assertEquals("1", shop.get("attr.visits"));
        assertFalse(shop.containsKey("attr.cart"), "shop does not see shop2's cart");
        assertEquals("2", shop2.get("attr.visits"));
        assertEquals("[only-in-shop2]", shop2.get("attr.cart"));
    }

    @Test
    @Tag(ServerTest.CONTRACT)
    void aNewSessionIdAfterLoginMovesTheStoredCopy() throws Exception {
        ServerProcess a = start("A");
        ServerProcess b = start("B");
        Browser user = new Browser();
        user.get(a.url("/shop/counter?format=text"));
        String before = user.sessionId();
        backend.await(key("/shop", before), containsAll("visits"), STORED);
        Map<String, String> loggedIn = user.get(a.url("/shop/login?user=alice&format=text"));
        String after = user.sessionId();
        assertNotEquals(before, after, "login changes the session id");
        assertSameSession(after, loggedIn.get("id"), "the page shows the new id");
        backend.await(key("/shop", after), containsAll("alice", "visits"), STORED);
        backend.await(key("/shop", before), io.sessionmirror.agent.codec.StoredCopy::isTombstone, STORED);

        a.kill9();
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertSameSession(after, onB.get("id"), "the new id after failover");
        assertEquals("alice", onB.get("attr.user"));
        assertEquals("1", onB.get("attr.visits"));
        Browser attacker = new Browser();
        attacker.sessionId(before);
        assertEquals("none", attacker.get(b.url("/shop/session")).get("session"), "the old id no longer works");
    }
}
