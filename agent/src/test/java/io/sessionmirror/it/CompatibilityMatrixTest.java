package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated matrix: what the recorded lines say, in version order, and nothing outside the markers. */
class CompatibilityMatrixTest {

    @Test
    void rowsPerServerVersionAndEnvironmentWithCountsPerJdkAndTheFailuresNamed(@TempDir Path dir) throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        Files.write(results.resolve("jdk17-A.tsv"), List.of(
                "Jetty (embedded)\t10.0.26\t\t17\tJetty10FailoverIT\tone\tPASS",
                "Jetty (embedded)\t10.0.26\t\t17\tJetty10FailoverIT\ttwo\tPASS",
                "Jetty (embedded)\t9.4.57.v20241219\t\t17\tJetty94FailoverIT\tone\tPASS",
                "Jetty (embedded)\t12.1.14\tee10\t17\tJetty121Ee10FailoverIT\tone\tPASS",
                "GlassFish\t8.0.0\t\t17\tGlassFish8FailoverIT\tone\tSKIP",
                "GlassFish\t8.0.0\t\t17\tGlassFish8FailoverIT\ttwo\tSKIP"), StandardCharsets.UTF_8);
        Files.write(results.resolve("jdk25-A.tsv"), List.of(
                "Jetty (embedded)\t10.0.26\t\t25\tJetty10FailoverIT\tone\tPASS",
                "Jetty (embedded)\t10.0.26\t\t25\tJetty10FailoverIT\ttwo\tFAIL",
                "Jetty (embedded)\t10.0.26\t\t25\tJetty10FailoverIT\tthree\tSKIP",
                "GlassFish\t8.0.0\t\t25\tGlassFish8FailoverIT\tone\tPASS",
                "GlassFish\t8.0.0\t\t25\tGlassFish8FailoverIT\ttwo\tPASS"), StandardCharsets.UTF_8);
        Files.write(results.resolve("backend-jdk17-A.tsv"), List.of(
                "Memcached\tplain\t1.6.18\t17\tJetty10FailoverIT\tone\tPASS\tJetty (embedded)",
                "Memcached\tplain\t1.6.18\t17\tMemcachedStoreContractIT\tone\tPASS\t",
                "Redis\tcluster of 3 masters\t7.0.15\t17\tRedisClusterIT\tone\tFAIL\tTomcat (embedded)"),
                StandardCharsets.UTF_8);
        Path doc = dir.resolve("compatibility.md");
        Files.write(doc, List.of("# Title", "before", CompatibilityMatrix.START, "old table", CompatibilityMatrix.END, "between",
                CompatibilityMatrix.BACKENDS_START, "old backends", CompatibilityMatrix.BACKENDS_END, "after"),
                StandardCharsets.UTF_8);

        CompatibilityMatrix.main(new String[] {results.toString(), doc.toString()});

        String text = Files.readString(doc);
        assertTrue(text.startsWith("# Title\nbefore\n" + CompatibilityMatrix.START + "\n"), text);
        assertTrue(text.endsWith(CompatibilityMatrix.BACKENDS_END + "\nafter\n"), text);
        assertTrue(text.contains(CompatibilityMatrix.END + "\nbetween\n" + CompatibilityMatrix.BACKENDS_START + "\n"), text);
        assertTrue(!text.contains("old table") && !text.contains("old backends"), text);
        assertTrue(text.contains("| Server | Version | Environment | JDK 17 | JDK 25 | Test classes |"), text);
        int v94 = text.indexOf("| 9.4.57.v20241219 |");
        int v10 = text.indexOf("| 10.0.26 |");
        int v12 = text.indexOf("| 12.1.14 | ee10 |");
        assertTrue(v94 > 0 && v94 < v10 && v10 < v12, "9.4 before 10.0 before 12.1:\n" + text);
        assertTrue(text.contains("| Jetty (embedded) | 10.0.26 | — | ✅ 2/2 | ❌ 1/2 (1 skipped) | Jetty10FailoverIT |"), text);
        // a server that needs a newer JDK is skipped there by an assumption: not a failure, and not listed as one
        assertTrue(text.contains("| GlassFish | 8.0.0 | — | skipped | ✅ 2/2 | GlassFish8FailoverIT |"), text);
        assertTrue(!text.contains("GlassFish8FailoverIT.one SKIP"), text);
        assertTrue(text.contains("| Jetty (embedded) | 12.1.14 | ee10 | ✅ 1/1 | not run | Jetty121Ee10FailoverIT |"), text);
        assertTrue(text.contains("- JDK 25: Jetty10FailoverIT.two FAIL"), text);
        assertTrue(text.contains("| Backend | Form | Version | Servers | JDK 17 | Test classes |"), text);
        assertTrue(text.contains("| Memcached | plain | 1.6.18 | Jetty, the store alone | ✅ 2/2 | Jetty10FailoverIT, MemcachedStoreContractIT |"),
                text);
        assertTrue(text.contains("| Redis | cluster of 3 masters | 7.0.15 | Tomcat | ❌ 0/1 | RedisClusterIT |"), text);
        assertTrue(text.contains("- JDK 17: RedisClusterIT.one FAIL"), text);
        assertTrue(!text.substring(text.indexOf(CompatibilityMatrix.START), text.indexOf(CompatibilityMatrix.END))
                .contains("Redis"), "backend lines stay out of the server matrix:\n" + text);
    }

    @Test
    void versionsCompareByNumberNotByText() {
        assertTrue(CompatibilityMatrix.compareVersions("9.4.57", "10.0.26") < 0);
        assertTrue(CompatibilityMatrix.compareVersions("12.0.31", "12.1.8") < 0);
        assertTrue(CompatibilityMatrix.compareVersions("12.1.8", "12.1.14") < 0);
        assertEquals(0, CompatibilityMatrix.compareVersions("2.3.26.Final", "2.3.26.Final"));
    }
}
