package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SessionKeysTest {

    private final SessionKeys keys = new SessionKeys("sm");

    @Test
    void keyIsPrefixHostContextAndId() {
        assertEquals("sm:_:/shop:ABC", keys.key(keys.namespace(null, "/shop"), "ABC"));
        assertEquals("sm:_:/:ABC", keys.key(keys.namespace("", ""), "ABC"));
        assertEquals("sm:www.example.com:/shop:ABC", keys.key(keys.namespace("www.example.com", "/shop"), "ABC"));
    }

    @Test
    void routeSuffixIsNotPartOfTheKey() {
        String ns = keys.namespace(null, "/shop");
        assertEquals(keys.key(ns, "ABC"), keys.key(ns, "ABC.node1"));
        assertEquals(keys.key(ns, "node0abc"), keys.key(ns, "node0abc.node0"));
        assertEquals("ABC", SessionKeys.stripRoute("ABC.a.b"));
    }

    @Test
    void contextsAndHostsAreIsolated() {
        assertNotEquals(keys.key(keys.namespace(null, "/a"), "X"), keys.key(keys.namespace(null, "/b"), "X"));
        assertNotEquals(keys.key(keys.namespace("h1", "/a"), "X"), keys.key(keys.namespace("h2", "/a"), "X"));
        assertNotEquals(keys.key(new SessionKeys("p1").namespace(null, "/a"), "X"),
                keys.key(new SessionKeys("p2").namespace(null, "/a"), "X"));
    }

    @Test
    void unsafeCharactersArePercentEncoded() {
        String k = keys.key(keys.namespace(null, "/my shop:ä"), "id with\r\nset x 0 0 1");
        assertEquals("sm:_:/my%20shop%3A%C3%A4:id%20with%0D%0Aset%20x%200%200%201", k);
        for (char c : k.toCharArray()) {
            assertTrue(c > 0x20 && c < 0x7f, "printable ASCII only: " + k);
        }
        // an encoded colon cannot be confused with the separator
        assertNotEquals(keys.key(keys.namespace("a:b", "/c"), "d"), keys.key(keys.namespace("a", "b:/c"), "d"));
    }

    @Test
    void longKeysAreHashedUnderTheLimit() {
        StringBuilder path = new StringBuilder("/");
        for (int i = 0; i < 300; i++) {
            path.append('p');
        }
        String ns = keys.namespace(null, path.toString());
        String a = keys.key(ns, "ID1");
        String b = keys.key(ns, "ID2");
        assertTrue(a.length() <= SessionKeys.MAX_KEY_LENGTH, a);
        assertTrue(a.startsWith("sm:#"), a);
        assertNotEquals(a, b);
        assertEquals(a, keys.key(ns, "ID1.route"));
    }
}
