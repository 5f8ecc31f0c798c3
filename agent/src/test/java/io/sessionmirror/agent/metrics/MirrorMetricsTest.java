package io.sessionmirror.agent.metrics;

import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.core.WriteBehindQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class MirrorMetricsTest {

    @Test
    void percentilesAreWithinTheBucketPrecision() {
        Histogram h = new Histogram();
        assertEquals(0, h.percentile(99));
        Random r = new Random(7);
        long[] values = new long[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = 1_000 + (long) (r.nextDouble() * r.nextDouble() * 50_000_000L); // 1 us to 50 ms, skewed
            h.record(values[i]);
        }
        java.util.Arrays.sort(values);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            long estimate = h.percentile(p);
            assertTrue(estimate >= exact && estimate <= exact * 1.13 + 64, p + ": " + estimate + " vs " + exact);
        }
        assertEquals(values.length, h.count());
        assertTrue(Histogram.upperBound(Histogram.bucket(5)) >= 5, "tiny values land in the first bucket");
        assertEquals(Long.MAX_VALUE, Histogram.upperBound(Histogram.bucket(Long.MAX_VALUE)), "huge values do not overflow");
    }

    @Test
    void webAppCountersAddUpToTheAgentsAndShowInJmxAndPrometheus() throws Exception {
        MirrorStats agent = new MirrorStats();
        MirrorMetrics metrics = new MirrorMetrics(agent, new WriteBehindQueue(10));
        WebApp shop = new WebApp("sm:_:/shop-metrics-test:", "Tomcat web app '/shop-metrics-test'", null);
        WebApp admin = new WebApp("sm:_:/admin-metrics-test:", "Tomcat web app '/admin-metrics-test'", null);
        metrics.of(shop).writes.add(3);
        metrics.of(shop).writeNanos.record(2_000_000);
        metrics.of(admin).writes.increment();
        agent.nodeOutages.increment(); // store-wide: no web app
        assertEquals(4, agent.writes.sum());
        assertEquals(3, metrics.of(shop).writes.sum());

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("sessionmirror:type=WebApp,name=" + ObjectName.quote("_:/shop-metrics-test"));
        assertEquals(3L, server.getAttribute(name, "Writes"));
        assertEquals("Tomcat web app '/shop-metrics-test'", server.getAttribute(name, "WebApp"));
        double p50 = (Double) server.getAttribute(name, "WriteLatencyP50Millis");
        assertTrue(p50 >= 2.0 && p50 <= 2.3, "p50 " + p50);
        metrics.of(shop).writes.increment();
        assertEquals(4L, server.getAttribute(name, "Writes"), "values change as traffic flows");
        assertEquals(5L, server.getAttribute(new ObjectName("sessionmirror:type=Agent"), "Writes"));

        String text = metrics.prometheus();
        assertTrue(text.contains("sessionmirror_writes_total{app=\"_:/shop-metrics-test\"} 4\n"), text);
        assertTrue(text.contains("sessionmirror_writes_total{app=\"*\"} 5\n"), text);
        assertTrue(text.contains("sessionmirror_node_outages_total{app=\"*\"} 1\n"), text);
        assertTrue(text.contains("# TYPE sessionmirror_write_seconds summary"), text);
        assertTrue(text.contains("sessionmirror_write_seconds{app=\"_:/shop-metrics-test\",quantile=\"0.99\"} 0.002"), text);
        assertTrue(text.contains("sessionmirror_queue_depth 0\n"), text);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("sessionmirror_[a-z_]+(\\{[^}]*\\})? [0-9.]+"), line);
        }
    }
}
