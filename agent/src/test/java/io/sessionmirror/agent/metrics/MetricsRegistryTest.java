package io.sessionmirror.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {

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
        Counters agent = new Counters();
        MetricsRegistry metrics = new MetricsRegistry(agent, () -> 0);
        Counters shop = metrics.forWebApp("sm:_:/shop-metrics-test:", "Tomcat web app '/shop-metrics-test'");
        assertSame(shop, metrics.forWebApp("sm:_:/shop-metrics-test:", "Tomcat web app '/shop-metrics-test'"));
        shop.writes.add(3);
        shop.writeNanos.record(2_000_000);
        metrics.forWebApp("sm:_:/admin-metrics-test:", "Tomcat web app '/admin-metrics-test'").writes.increment();
        agent.nodeOutages.increment(); // store-wide: no web app
        assertEquals(4, agent.writes.sum());
        assertEquals(3, shop.writes.sum());

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("sessionmirror:type=WebApp,name=" + ObjectName.quote("_:/shop-metrics-test"));
        assertEquals(3L, server.getAttribute(name, "Writes"));
        assertEquals("Tomcat web app '/shop-metrics-test'", server.getAttribute(name, "WebApp"));
        double p50 = (Double) server.getAttribute(name, "WriteLatencyP50Millis");
        assertTrue(p50 >= 2.0 && p50 <= 2.3, "p50 " + p50);
        shop.writes.increment();
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
        assertJmxShowsTheAttributesOperatorsKnow(name, "LiveSessions:int", "StoredSizeHistogram:[Ljava.lang.String;",
                "LargestAttributes:[Ljava.lang.String;", "SkippedAttributeReasons:[Ljava.lang.String;");
        assertJmxShowsTheAttributesOperatorsKnow(new ObjectName("sessionmirror:type=Agent"));
    }

    @Test
    void theSummaryLineReadsAsBefore() {
        Counters agent = new Counters();
        MetricsRegistry metrics = new MetricsRegistry(agent, () -> 2);
        agent.requests.add(4);
        agent.requestNanos.add(10_000); // 2.5 us a request
        agent.writes.add(2);
        agent.writeBytes.add(300);
        agent.loadHits.add(1);
        agent.loadMisses.add(3);
        agent.loadNanos.add(6_000);
        agent.failures.add(5);
        agent.lostLocks.add(7);
        assertEquals(String.format("requests with a session 4 (agent time on the request thread avg %.1f us), writes 2"
                + " (avg 150 bytes), unchanged 0, touches 0, loads 1 hit / 3 miss (avg %.1f us), deletes 0, failures 5,"
                + " attributes skipped 0, attributes dropped 0, replica repairs 0, recovery writes 0, node outages 0, stale local copies refreshed 0,"
                + " lock waits 0, lock timeouts 0, rejected entries 0, oversized sessions 0, refused writes 0,"
                + " merged writes 0, dropped tombstones 0, lost locks 7, queue 2, write p99 0.0 ms, serialize p99 0 us", 2.5, 1.5),
                metrics.summary());
    }

    /** One registry per JVM owns "sessionmirror:type=Agent", so the test that makes one calls this. */
    /** {@code perWebApp}: what only a web app's bean shows (its report). */
    private static void assertJmxShowsTheAttributesOperatorsKnow(ObjectName name, String... perWebApp) throws Exception {
        java.util.Set<String> shown = new java.util.TreeSet<>();
        for (javax.management.MBeanAttributeInfo a : ManagementFactory.getPlatformMBeanServer().getMBeanInfo(name)
                .getAttributes()) {
            shown.add(a.getName() + ":" + a.getType());
        }
        java.util.Set<String> expected = new java.util.TreeSet<>(java.util.Arrays.asList("WebApp:java.lang.String", "Requests:long",
                "AgentMicrosPerRequest:double", "Writes:long", "WritesSkippedUnchanged:long", "Touches:long",
                "BytesWritten:long", "LoadHits:long", "LoadMisses:long", "Deletes:long", "Failures:long",
                "StoreFailures:long", "SerializeFailures:long", "QueueFullDrops:long", "RejectedEntries:long",
                "OversizedSessions:long", "RefusedWrites:long", "MergedWrites:long", "DroppedTombstones:long", "LostLocks:long", "HookFailures:long",
                "BusySnapshots:long", "RetakenSnapshots:long", "WriteDelayP99Millis:double",
                "SkippedAttributes:long", "DroppedAttributes:long", "ReplicaRepairs:long", "RecoveryWrites:long", "NodeOutages:long", "NodeListChanges:long", "DiscoveryFailures:long",
                "StaleRefreshes:long", "LockWaits:long", "LockTimeouts:long", "QueueDepth:int",
                "WriteLatencyP50Millis:double", "WriteLatencyP99Millis:double", "SerializeP50Micros:double",
                "SerializeP99Micros:double"));
        expected.addAll(java.util.Arrays.asList(perWebApp));
        assertEquals(expected, shown);
    }
}
