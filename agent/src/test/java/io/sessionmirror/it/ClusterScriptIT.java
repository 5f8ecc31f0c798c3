package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's main command, {@code demo-apps/cluster.sh}, run the way a newcomer runs it (here with
 * {@code --scenario-only} and the jars this build made): memcached, two instances of Debian's Tomcat 10, a
 * Jetty, NGINX in front; the server holding the session is killed and the next request through NGINX is
 * served by another one with the same session. The test reads the transcript's facts, and checks that
 * everything the script started is gone when it exits.
 */
class ClusterScriptIT {

    private static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();
    private static final Pattern FACT = Pattern.compile("^\\s+([a-z][a-z ]+[a-z]):\\s+(.*)$", Pattern.MULTILINE);

    @Test
    void theScenarioFailsOverThroughNginxAndLeavesNothingRunning() throws Exception {
        scenario();
    }

    /** The same on Redis: the script starts a redis-server and no memcached, the agents get nodes=redis://. */
    @Test
    void withStoreRedisTheSameScenarioRunsOnRedis() throws Exception {
        String out = scenario("--store", "redis");
        assertTrue(out.contains("Starting the cluster: redis :"), out);
        assertTrue(out.contains("session-mirror-agent.jar=nodes=redis://127.0.0.1:"), out);
    }

    /** Runs the scenario with these extra arguments, checks its facts; returns the transcript. */
    private static String scenario(String... args) throws Exception {
        int[] ports = freePorts();
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash",
                ROOT.resolve("demo-apps/cluster.sh").toString(), "--scenario-only", "--no-build"));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("LB_PORT", String.valueOf(ports[0]));
        pb.environment().put("MEMCACHED_PORT", String.valueOf(ports[1]));
        pb.environment().put("REDIS_PORT", String.valueOf(ports[1])); // the store's port, whichever it is
        pb.environment().put("PORT_A", String.valueOf(ports[2]));
        pb.environment().put("PORT_B", String.valueOf(ports[3]));
        pb.environment().put("PORT_C", String.valueOf(ports[4]));
        Path transcript = Files.createTempFile("cluster", ".txt");
        pb.redirectOutput(transcript.toFile());
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("cluster.sh did not finish in 8 minutes:\n" + read(transcript));
        }
        String out = read(transcript);
        System.out.println(out);
        assertEquals(0, p.exitValue(), "cluster.sh failed:\n" + out);

        Map<String, String> facts = new LinkedHashMap<>();
        Matcher m = FACT.matcher(out.substring(out.lastIndexOf("Result")));
        while (m.find()) {
            facts.put(m.group(1), m.group(2).trim());
        }
        String before = facts.get("served before the failure");
        String after = facts.get("served after the failure");
        assertTrue(before != null && before.matches("tomcatA|tomcatB|jettyC"), "served before: " + facts);
        assertTrue(after != null && after.matches("tomcatA|tomcatB|jettyC"), "served after: " + facts);
        assertNotEquals(before, after, "another server took over");
        assertTrue(facts.get("same session").startsWith("yes"), "same session: " + facts);
        assertEquals("[apple, coffee]", facts.get("cart before"));
        assertEquals("[apple, coffee]", facts.get("cart after"), "the survivor served the cart");
        assertEquals("0", facts.get("failed requests"));
        assertTrue(out.contains("FAILOVER OK"), out);

        // Ctrl-C or the end of the scenario stops everything the script started.
        for (int port : ports) {
            assertFalse(listening(port), "something still listens on port " + port + " after cluster.sh exited");
        }
        return out;
    }

    private static String read(Path f) throws IOException {
        return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Five consecutive free ports from this test JVM's block range (see {@link PortRange}; the script also uses
     * PORT_A + 10000 and PORT_B + 10000 as the Tomcat instances' shutdown ports, which no range hands out).
     */
    private static int[] freePorts() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = PortRange.blockBase(5);
            int[] ports = {base, base + 1, base + 2, base + 3, base + 4};
            if (allFree(ports) && allFree(new int[] {base + 10002, base + 10003})) {
                return ports;
            }
        }
        throw new IOException("no five free consecutive ports found");
    }

    private static boolean allFree(int[] ports) {
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port)) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
