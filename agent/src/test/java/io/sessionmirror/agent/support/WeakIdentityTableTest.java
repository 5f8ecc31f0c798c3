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

    /**
     * Readers never miss a key that is in the table while other threads insert (growing the table many times) and
     * remove other keys: lookups take no lock, so a chain or a table they read must always be whole.
     */
    @Test
    void lookupsWithoutALockNeverMissAKeyWhileTheTableGrowsAndShrinks() throws Exception {
        WeakIdentityTable<Object, Integer> table = new WeakIdentityTable<>();
        Object[] stable = new Object[200];
        for (int i = 0; i < stable.length; i++) {
            stable[i] = new Object();
            table.put(stable[i], i);
        }
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<String> misses = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread[] readers = new Thread[2];
        for (int r = 0; r < readers.length; r++) {
            readers[r] = new Thread(() -> {
                while (!done.get()) {
                    for (int i = 0; i < stable.length; i++) {
                        Integer v = table.get(stable[i]);
                        if (v == null || v != i) {
                            misses.add("key " + i + " read as " + v);
                        }
                    }
                }
            });
            readers[r].start();
        }
        Thread churn = new Thread(() -> {
            java.util.Random random = new java.util.Random(17);
            java.util.List<Object> mine = new ArrayList<>();
            for (int n = 0; n < 200_000; n++) {
                if (mine.isEmpty() || random.nextInt(3) > 0) {
                    Object k = new Object();
                    mine.add(k);
                    table.computeIfAbsent(k, x -> -1);
                } else {
                    table.remove(mine.remove(random.nextInt(mine.size())));
                }
            }
        });
        churn.start();
        churn.join();
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertEquals(java.util.List.of(), misses.subList(0, Math.min(5, misses.size())));
        for (int i = 0; i < stable.length; i++) {
            assertEquals(i, table.get(stable[i]));
        }
    }

    /** An entry goes away with its key: the side table never keeps a session the server dropped. */
    @Test
    void entriesOfCollectedKeysAreDropped() throws Exception {
        WeakIdentityTable<Object, String> table = new WeakIdentityTable<>();
        Object kept = new Object();
        table.put(kept, "kept");
        for (int i = 0; i < 10_000; i++) {
            table.put(new Object(), "dropped"); // unreachable at once
        }
        io.sessionmirror.it.Poll.until("the collected keys' entries are expunged", java.time.Duration.ofSeconds(20), () -> {
            System.gc();
            return table.size() == 1;
        });
        assertEquals("kept", table.get(kept));
    }
}
