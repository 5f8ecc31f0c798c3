package io.sessionmirror.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle benchmark end to end with tiny numbers: both start-ups are measured, every session survives the
 * kill of its server, and the attach exports every session the server already held. Latency targets are not
 * asserted (the machine is shared); that the figures are real is.
 */
class LifecycleBenchmarkSmokeIT {

    @Test
    void startupFailoverAndExportAreMeasured() throws Exception {
        Path out = Paths.get(System.getProperty("bench.out"));
        int sessions = 20;
        int exportSessions = 200;
        LifecycleBenchmark b = new LifecycleBenchmark(Paths.get(System.getProperty("bench.root")).toAbsolutePath().normalize(),
                out, 1, sessions, 5, exportSessions);
        LifecycleBenchmark.Results r = b.run();

        assertEquals(1, r.startup.withoutMillis.size());
        assertEquals(1, r.startup.withMillis.size());
        assertTrue(r.startup.withoutMillis.get(0) > 0 && r.startup.withMillis.get(0) > 0, "start-up times");

        LifecycleBenchmark.Failover f = r.failover;
        assertEquals(sessions, f.sessions);
        // Server A was killed: every session B served with the same id and A's cart came from memcached.
        assertEquals(sessions, f.restored, "every session restored after the kill: " + f.failures);
        assertTrue(f.failures.isEmpty(), f.failures.toString());
        // B's agent itself counted a hit in memcached for every session (warm-up ones included), no miss.
        assertEquals("loads " + (sessions + 5) + " hit / 0 miss", f.agentLoads == null ? null
                : f.agentLoads.substring(0, f.agentLoads.indexOf(" (")), f.agentLoads);
        for (int i = 0; i < sessions; i++) {
            assertTrue(f.firstNanos[i] > 0 && f.normalNanos[i] > 0, "latencies of session " + i);
        }

        LifecycleBenchmark.Export e = r.export;
        assertEquals(exportSessions, e.created);
        assertEquals(0, e.itemsBeforeAttach, "without the agent nothing is in memcached");
        assertEquals(0, e.attachExitCode, e.attachOutput);
        assertEquals(exportSessions, e.itemsInMemcached, "every existing session exported: " + e.attachOutput);
        assertEquals(exportSessions, e.agentExported, "the attach command reports them all: " + e.attachOutput);
        assertTrue(e.allExportedMillis > 0 && e.allExportedMillis <= 180_000, "time to export: " + e.allExportedMillis);
        assertTrue(e.attachWallMillis > 0, "attach wall time");
        assertNotNull(e.serverLogLine, "the agent logs the export in the server log");

        String md = new String(Files.readAllBytes(out.resolve("lifecycle.md")), StandardCharsets.UTF_8);
        assertTrue(md.contains("## Start-up") && md.contains("## Failover") && md.contains("## Attach + export")
                && md.contains("## Targets"), md);
        assertTrue(md.contains("Restored: **" + sessions + " of " + sessions + "**"), md);
    }

    @Test
    void aResponseWithAnotherSessionIsNotARestore() {
        LifecycleBenchmark.Response ok = response(200, "server=b\nid=ABC\nnew=false\nattr.cart=[f7-xxxx]\n", null);
        assertEquals(null, LifecycleBenchmark.restoreProblem(ok, "ABC", "f7"));
        LifecycleBenchmark.Response none = response(200, "server=b\nsession=none\n", null);
        assertNotNull(LifecycleBenchmark.restoreProblem(none, "ABC", "f7"));
        LifecycleBenchmark.Response newCookie = response(200, "server=b\nid=ABC\nattr.cart=[f7-xxxx]\n", "JSESSIONID=DEF; Path=/shop");
        assertNotNull(LifecycleBenchmark.restoreProblem(newCookie, "ABC", "f7"));
        LifecycleBenchmark.Response otherCart = response(200, "server=b\nid=ABC\nattr.cart=[f70-xxxx]\n", null);
        assertNotNull(LifecycleBenchmark.restoreProblem(otherCart, "ABC", "f7"));
    }

    private static LifecycleBenchmark.Response response(int status, String body, String setCookie) {
        LifecycleBenchmark.Response r = new LifecycleBenchmark.Response();
        r.status = status;
        r.body = body;
        if (setCookie != null) {
            r.headers.put("set-cookie", java.util.List.of(setCookie));
        }
        return r;
    }
}
