package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Sticky mode, one session, many requests at once (a page firing AJAX calls): each adds an item to the cart
 * in place while other requests serialize the same cart. No request fails, no serialization is lost to a
 * ConcurrentModificationException, and after a kill -9 the survivor has every item.
 */
class ConcurrentRequestsIT extends FaultTest {

    private static final int THREADS = 8;
    private static final int PER_THREAD = 40;

    @Test
    void parallelRequestsOnOneSessionLoseNoUpdate() throws Exception {
        Memcached memcached = node();
        String options = nodesOption(List.of(memcached));
        ServerProcess a = tomcat("ajaxA", options);
        ServerProcess b = tomcat("ajaxB", options);
        Browser first = new Browser();
        first.get(a.url("/shop/cart/add?item=start&format=text"));
        String id = first.sessionId();
        List<String> errors = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                Browser tab = new Browser();
                tab.sessionId(id);
                for (int i = 0; i < PER_THREAD; i++) {
                    try {
                        tab.get(a.url("/shop/cart/add?format=text&item=t" + thread + "-" + i));
                    } catch (Exception | AssertionError e) {
                        synchronized (errors) {
                            errors.add(e.toString());
                        }
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(120_000);
        }
        assertEquals(List.of(), errors, "failed requests");
        // The asynchronous writes of the last requests: a stored snapshot with every thread's last item is the
        // final state (each thread adds its items in order).
        String[] lastItems = new String[THREADS];
        for (int t = 0; t < THREADS; t++) {
            lastItems[t] = "t" + t + "-" + (PER_THREAD - 1);
        }
        memcached.await(key(id), Memcached.containsAll(lastItems), Duration.ofSeconds(10));
        a.kill9();

        Browser after = new Browser();
        after.sessionId(id);
        Map<String, String> onB = after.get(b.url("/shop/session"));
        assertEquals("ajaxB", onB.get("server"));
        String cart = onB.get("attr.cart");
        TreeSet<String> items = new TreeSet<>(Arrays.asList(cart.substring(1, cart.length() - 1).split(", ")));
        TreeSet<String> expected = new TreeSet<>();
        expected.add("start");
        for (int t = 0; t < THREADS; t++) {
            for (int i = 0; i < PER_THREAD; i++) {
                expected.add("t" + t + "-" + i);
            }
        }
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(items);
        assertEquals(new TreeSet<>(), missing, "items added on A but missing after the failover");
        assertEquals(expected.size(), cart.split(", ").length, "no item twice");
    }
}
