package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the attach command tells a user when it cannot or must not attach; the target is never touched. */
class AttachCommandIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private final List<ServerProcess> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ServerProcess s : servers) {
            s.close();
        }
    }

    private ServerProcess tomcatWithoutAgent(String name, String... jvmOptions) throws Exception {
        ServerProcess s = jvmOptions.length == 0
                ? Servers.embeddedTomcat(Servers.TOMCAT10, name, Memcached.freePort(), null)
                : Servers.embeddedTomcatWithJvmOptions(Servers.TOMCAT10, name, Memcached.freePort(), List.of(jvmOptions));
        servers.add(s);
        return s.awaitReady("/shop/stats", READY);
    }

    @Test
    void badOptionsAreRefusedBeforeTheTargetIsTouched() throws Exception {
        ServerProcess a = tomcatWithoutAgent("A");
        AgentCli cli = AgentCli.run("attach", String.valueOf(a.pid()), "nodes=127.0.0.1:11211,wrte=sync");
        assertEquals(2, cli.exit, cli.toString());
        assertEquals("session-mirror: unknown option 'wrte' in the attach options (did you mean 'write'?); known options: "
                + "nodes, enabled, write, write.interval, replicas, mode, route, lock, lock.wait, serializer, prefix, timeout, discovery.interval, queue, shutdown.timeout, secret, secret.file, encrypt, username, password, password.file, tls, tls.ca, tls.cert, tls.key, tls.verify.hostname, classes.allow, classes.deny, max.size, compress, metrics.port, summary, log, export, config\n"
                + "session-mirror: nothing was loaded into process " + a.pid() + "\n", cli.err);
        assertTrue(!a.log().contains("session-mirror"), "the target saw nothing:\n" + a.log());
    }

    @Test
    void aProcessThatDoesNotExist() throws Exception {
        long pid = ProcessHandle.current().pid() + 1_000_000; // above Linux's default pid_max
        AgentCli cli = AgentCli.run("attach", String.valueOf(pid), "nodes=127.0.0.1:11211");
        assertEquals(1, cli.exit, cli.toString());
        assertEquals("session-mirror: there is no process " + pid + "; 'java -jar session-mirror-agent.jar list' shows the"
                + " JVMs you can attach to\n", cli.err);
    }

    @Test
    void notAProcessId() throws Exception {
        AgentCli cli = AgentCli.run("attach", "tomcat", "nodes=127.0.0.1:11211");
        assertEquals(2, cli.exit, cli.toString());
        assertEquals("session-mirror: 'tomcat' is not a process id; 'java -jar session-mirror-agent.jar list' shows them\n", cli.err);
    }

    @Test
    void aJvmThatDisabledAttaching() throws Exception {
        ServerProcess a = tomcatWithoutAgent("A", "-XX:+DisableAttachMechanism");
        AgentCli cli = AgentCli.run("attach", String.valueOf(a.pid()), "nodes=127.0.0.1:11211");
        assertEquals(1, cli.exit, cli.toString());
        assertTrue(cli.err.startsWith("session-mirror: cannot attach to process " + a.pid() + ": "), cli.toString());
        assertTrue(cli.err.endsWith("It must be a Java 11+ JVM of the same user, not started with -XX:+DisableAttachMechanism.\n"),
                cli.toString());
    }

    @Test
    void aJvmOfAnotherUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run the command as another user");
        ServerProcess a = tomcatWithoutAgent("A");
        AgentCli cli = AgentCli.runAs("memcache", "attach", String.valueOf(a.pid()), "nodes=127.0.0.1:11211");
        assertEquals(1, cli.exit, cli.toString());
        assertTrue(cli.err.startsWith("session-mirror: process " + a.pid() + " belongs to user 'root', not to 'memcache';"
                + " run the command as that user: sudo -u root java -jar "), cli.toString());
    }

    @Test
    void helpExplainsTheCommandsAndTheJdk21Warning() throws Exception {
        AgentCli attach = AgentCli.run("attach", "--help");
        assertEquals(0, attach.exit);
        assertTrue(attach.out.contains("java -jar session-mirror-agent.jar attach 12345 nodes=10.0.0.5:11211,10.0.0.6:11211"), attach.out);
        assertTrue(attach.out.contains("-XX:+EnableDynamicAgentLoading"), attach.out);
        AgentCli list = AgentCli.run("list", "--help");
        assertEquals(0, list.exit);
        assertTrue(list.out.startsWith("Usage: java -jar session-mirror-agent.jar list"), list.out);
    }

    @Test
    void listShowsTheJvmWithItsServerAndWhetherTheAgentIsIn() throws Exception {
        ServerProcess a = tomcatWithoutAgent("A");
        AgentCli cli = AgentCli.run("list");
        assertEquals(0, cli.exit, cli.toString());
        String row = Collections.list(new java.util.StringTokenizer(cli.out, "\n")).stream().map(Object::toString)
                .filter(l -> l.startsWith(a.pid() + " ")).findFirst().orElseThrow(() -> new AssertionError(cli.out));
        assertTrue(row.matches(a.pid() + " +Tomcat +no +io\\.sessionmirror\\.demo\\.launcher\\.TomcatLauncher.*"), row);
    }
}
