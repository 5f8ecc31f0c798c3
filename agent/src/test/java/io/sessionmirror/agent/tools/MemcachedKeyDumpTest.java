package io.sessionmirror.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemcachedKeyDumpTest {

    @Test
    void decodesTheDumpsPercentEncoding() {
        assertEquals("sm:_:/shop:ABC%3A1", MemcachedKeyDump.decode("sm%3A_%3A%2Fshop%3AABC%253A1"));
        assertEquals("plain-key_1.x~", MemcachedKeyDump.decode("plain-key_1.x~"));
    }

    @Test
    void onlySessionKeysOfTheNamespaceCount() {
        String ns = "sm:_:/shop:";
        assertTrue(MemcachedKeyDump.isSessionKey("sm:_:/shop:ABC", ns));
        assertFalse(MemcachedKeyDump.isSessionKey("sm:_:/shop:ABC:lock", ns), "a session's lock");
        assertFalse(MemcachedKeyDump.isSessionKey("sm:_:/shop2:ABC", ns), "another web app");
        assertFalse(MemcachedKeyDump.isSessionKey("sm:_:/shop:", ns));
    }
}
