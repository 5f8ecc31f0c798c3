package io.sessionmirror.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SessionReportTest {

    @Test
    void sizesFallInTheirRanges() {
        SessionReport r = new SessionReport();
        r.stored(10);
        r.stored(1023);
        r.stored(1024);
        r.stored(5 << 20);
        assertArrayEquals(new String[] {"under 1 KB: 2", "1 KB - 4 KB: 1", "4 KB - 16 KB: 0", "16 KB - 64 KB: 0",
                "64 KB - 256 KB: 0", "256 KB - 1 MB: 0", "1 MB and more: 1"}, r.sizeHistogram());
    }

    @Test
    void largestByAverageAndBounded() {
        SessionReport r = new SessionReport();
        r.attribute("cart", "com.shop.Cart", 100);
        r.attribute("cart", "com.shop.Cart", 300);
        r.attribute("user", "java.lang.String", 50);
        r.attribute("file", "[B", 1000);
        String[] top = r.largestAttributes(2);
        assertArrayEquals(new String[] {"file ([B): avg 1000 bytes, seen 1", "cart (com.shop.Cart): avg 200 bytes, seen 2"},
                top);
        for (int i = 0; i < SessionReport.NAMES_MAX + 10; i++) {
            r.attribute("a" + i, "x", 1);
        }
        String[] all = r.largestAttributes(Integer.MAX_VALUE);
        assertEquals(SessionReport.NAMES_MAX + 1, all.length, "the table stops at its bound and says so");
        assertTrue(all[all.length - 1].contains("were not kept"), all[all.length - 1]);
    }

    @Test
    void skippedKeepsTheLatestReasonAndTheCount() {
        SessionReport r = new SessionReport();
        r.skipped("order", "com.shop.Order", "first");
        r.skipped("order", "com.shop.Order", "second");
        assertArrayEquals(new String[] {"'order' (com.shop.Order) left out 2 times: second"}, r.skipped());
    }
}
