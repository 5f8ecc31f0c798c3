package io.sessionmirror.agent.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeakIdentityTableTest {

    @Test
    void keysCompareByIdentityNotEquals() {
        WeakIdentityTable<List<String>, String> table = new WeakIdentityTable<>();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>(); // equal to a, but another session
        table.put(a, "a");
        assertNull(table.get(b));
        assertEquals("b", table.computeIfAbsent(b, k -> "b"));
        assertEquals("a", table.computeIfAbsent(a, k -> "not called"));
        assertEquals("a", table.remove(a));
        assertNull(table.get(a));
        assertEquals("b", table.get(b));
    }

    @Test
    void computeIfAbsentReturnsTheStoredValue() {
        WeakIdentityTable<Object, Object> table = new WeakIdentityTable<>();
        Object key = new Object();
        Object first = table.computeIfAbsent(key, k -> new Object());
        assertSame(first, table.computeIfAbsent(key, k -> new Object()));
        assertSame(first, table.get(key));
    }
}
