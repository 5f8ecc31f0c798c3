package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;

/** The agent's counters as an operator sees them on a real Tomcat: JMX, the Prometheus endpoint, the summary line. */
class MetricsIT extends FaultTest {

    @Test
    void countersMoveWithTrafficInJmxAndPrometheusAndTheLog() throws Exception {
        Memcached m = node();
        int metricsPort = Memcached.freePort();
        ServerProcess a = tomcat("A", "nodes=" + m.address() + ",metrics.port=127.0.0.1:" + metricsPort + ",summary=10");
        a.awaitLog("Prometheus metrics on http://127.0.0.1:" + metricsPort + "/metrics", Duration.ofSeconds(10));
        Browser user = new Browser();
        user.get(a.url("/shop/counter?format=text")); // the web app's MBean appears with its first session

        VirtualMachine vm = VirtualMachine.attach(String.valueOf(a.pid()));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            Set<ObjectName> names = server.queryNames(new ObjectName("sessionmirror:type=WebApp,*"), null);
            ObjectName shop = new ObjectName("sessionmirror:type=WebApp,name=" + ObjectName.quote("_:/shop"));
            assertTrue(names.contains(shop), names.toString());
            assertEquals("Tomcat web app '/shop' on host localhost", server.getAttribute(shop, "WebApp"));
            long requests = (Long) server.getAttribute(shop, "Requests");
            long writes = awaitAtLeast(server, shop, "Writes", 1);

            for (int i = 0; i < 5; i++) {
                user.get(a.url("/shop/counter?format=text"));
            }
            user.get(a.url("/shop/cart/add?item=tea&format=text")); // a mutable attribute: re-checked when read
            long after = awaitAtLeast(server, shop, "Writes", writes + 1);
            assertTrue(after <= writes + 6, "at most one write per changing request: " + writes + " -> " + after);
            // Until the queue is empty, a read's check may fold into a write still waiting for write.interval.
            awaitQueueEmpty(server, shop);
            long unchanged = (Long) server.getAttribute(shop, "WritesSkippedUnchanged");
            for (int i = 0; i < 3; i++) {
                user.get(a.url("/shop/session")); // reads the cart, changes nothing: checked, not written
            }
            awaitAtLeast(server, shop, "Requests", requests + 9);
            // the three reads were checked on the writer thread (together when they came within one write.interval)
            // and decided "unchanged": none of them wrote
            long checked = awaitAtLeast(server, shop, "WritesSkippedUnchanged", unchanged + 1);
            assertTrue(checked <= unchanged + 3, "at most one check per read: " + unchanged + " -> " + checked);
            assertTrue((Long) server.getAttribute(shop, "Writes") <= writes + 6, "reads wrote nothing");
            assertTrue((Long) server.getAttribute(shop, "BytesWritten") > 0);
            assertTrue((Double) server.getAttribute(shop, "WriteLatencyP99Millis") > 0, "write latency is measured");
            assertTrue((Double) server.getAttribute(shop, "SerializeP50Micros") > 0, "serialization time is measured");
            ObjectName agent = new ObjectName("sessionmirror:type=Agent");
            assertTrue((Long) server.getAttribute(agent, "Writes") >= after, "the agent's view sums its web apps");

            // Prometheus says the same.
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Matcher w = Pattern.compile("sessionmirror_writes_total\\{app=\"_:/shop\"} (\\d+)").matcher(scrape.body());
            assertTrue(w.find(), scrape.body());
            assertTrue(Long.parseLong(w.group(1)) >= after, scrape.body());
            assertTrue(scrape.body().contains("sessionmirror_write_seconds{app=\"_:/shop\",quantile=\"0.99\"}"));
        }
        String log = a.awaitLog("Session Mirror summary: requests with a session", Duration.ofSeconds(20));
        assertTrue(log.contains("write p99"), log);
    }

    private static void awaitQueueEmpty(MBeanServerConnection server, ObjectName name) throws Exception {
        Poll.until("the write queue is empty", Duration.ofSeconds(10),
                () -> (Integer) server.getAttribute(name, "QueueDepth") == 0);
    }

    private static long awaitAtLeast(MBeanServerConnection server, ObjectName name, String attribute, long min)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long v;
        while ((v = (Long) server.getAttribute(name, attribute)) < min) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(attribute + " stayed at " + v + ", expected at least " + min);
            }
            Thread.sleep(50);
        }
        return v;
    }
}
