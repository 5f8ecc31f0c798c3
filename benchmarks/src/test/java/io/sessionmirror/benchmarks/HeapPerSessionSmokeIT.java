package io.sessionmirror.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The heap-per-session measurement with tiny numbers: both servers are histogrammed twice, the agent run's sessions
 * all reach memcached first, the agent's classes show up only where the agent runs, and the report says so. The
 * figure itself is not asserted (a few hundred sessions say little); that it is computed from real histograms is.
 */
class HeapPerSessionSmokeIT {

    @Test
    void histogramsWithAndWithoutTheAgentGiveAFigurePerSession() throws Exception {
        Path out = Paths.get(System.getProperty("bench.out"), "heap");
        int sessions = 300;
        int warm = 30;
        HeapPerSession h = new HeapPerSession(Paths.get(System.getProperty("bench.root")).toAbsolutePath().normalize(),
                out, sessions, warm);
        HeapPerSession.Results r = h.run();

        assertEquals(0, r.none.full.bytes(ClassHistogram::isAgentClass), "no agent, no agent classes");
        assertEquals(0, r.none.itemsInMemcached, "no agent, nothing in memcached");
        assertTrue(r.agent.itemsInMemcached >= sessions, "every session in memcached: " + r.agent.itemsInMemcached);
        assertTrue(r.agent.full.bytes(ClassHistogram::isAgentClass) > 0, "the agent's classes are counted");
        // Tomcat holds every session in both runs (and a session object is Tomcat's, not the agent's).
        assertTrue(r.none.full.instances("org.apache.catalina.session.StandardSession") >= sessions);
        assertTrue(r.agent.full.instances("org.apache.catalina.session.StandardSession") >= sessions);
        assertTrue(Double.isFinite(r.perSession()) && Double.isFinite(r.perAddedSession()));
        for (String file : new String[] {"heap-none-30.txt", "heap-none-300.txt", "heap-agent-30.txt", "heap-agent-300.txt"}) {
            assertTrue(Files.readString(out.resolve(file)).contains("GC") || Files.size(out.resolve(file)) > 1000, file);
        }
        String md = new String(Files.readAllBytes(out.resolve("heap.md")), StandardCharsets.UTF_8);
        assertTrue(md.contains("**heap the agent keeps per mirrored session**") && md.contains("| **total** |")
                && md.contains("`io.sessionmirror."), md);
    }
}
