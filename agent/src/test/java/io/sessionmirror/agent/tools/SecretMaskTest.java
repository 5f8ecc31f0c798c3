package io.sessionmirror.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretMaskTest {

    @Test
    void hidesByNameOrClass() {
        assertTrue(SecretMask.hides("password", "java.lang.String"));
        assertTrue(SecretMask.hides("csrfToken", "java.lang.String"));
        assertTrue(SecretMask.hides("apiKey", "java.lang.String"));
        assertTrue(SecretMask.hides("login", "com.shop.UserCredentials"));
        assertTrue(SecretMask.hides("x", "org.springframework.security.web.csrf.DefaultCsrfToken"));
        assertFalse(SecretMask.hides("cart", "com.shop.Cart"));
        assertFalse(SecretMask.hides("visits", "java.lang.Integer"));
    }

    @Test
    void aShownValueIsOneShortLine() {
        assertEquals("****", SecretMask.shown("db.password", "java.lang.String", "hunter2", 200));
        assertEquals("[apple, pear]", SecretMask.shown("cart", "com.shop.Cart", "[apple, pear]", 200));
        assertEquals("a\\nb", SecretMask.shown("note", "java.lang.String", "a\nb", 200));
        assertEquals("abcde... (10 chars)", SecretMask.shown("note", "java.lang.String", "abcdefghij", 5));
    }
}
