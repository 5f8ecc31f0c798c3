package io.sessionmirror.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class CliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Cli.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void helpShowsUsageAndEveryOption() {
        assertEquals(0, run("--help"));
        String text = out.toString();
        assertTrue(text.contains("-javaagent:/path/session-mirror-agent.jar=nodes="), text);
        for (String key : new String[] {"nodes", "enabled", "write", "serializer", "prefix", "timeout", "queue", "log", "config"}) {
            assertTrue(text.contains("  " + key + " "), key + " in\n" + text);
        }
    }

    @Test
    void checkRejectsBadOptionsWithTheOneLineMessage() {
        assertEquals(2, run("check", "nodes=127.0.0.1:11211,write=later"));
        assertEquals("session-mirror: invalid value 'later' for option 'write' in -javaagent options; expected async or sync",
                err.toString().trim());
    }

    @Test
    void checkReportsAnUnreachableNode() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertEquals(1, run("check", "nodes=127.0.0.1:" + port + ",timeout=200"));
        assertTrue(out.toString().contains("memcached 127.0.0.1:" + port + ": not reachable"), out.toString());
        assertTrue(out.toString().contains("(-javaagent options)"), out.toString());
    }

    @Test
    void unknownCommandSaysWhatExists() {
        assertEquals(2, run("attach-all"));
        assertTrue(err.toString().contains("unknown command 'attach-all'; commands: help, version, check, list, attach"), err.toString());
    }
}
