package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.store.RawBytes;
import io.sessionmirror.agent.store.SaslReadyClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.auth.AuthDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A memcached that requires SASL authentication (memcached -S), with Tomcat servers logging in to it. */
class SaslIT extends FaultTest {

    static final String USER = "shop";
    static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime());
    private Memcached sasl;

    @AfterEach
    void stopSasl() throws Exception {
        if (sasl != null) {
            sasl.close();
        }
    }

    @Override
    public String[] backendLabel() {
        return new String[] {"Memcached", "SASL PLAIN (binary protocol)", Backend.memcachedVersion()};
    }

    /**
     * Waits until the node holds the key with {@code text} in it, read through an authenticated binary client
     * (this node speaks no text protocol, so {@link Memcached#await} cannot look).
     */
    private void awaitStored(String key, String text) throws Exception {
        MemcachedClient client = new SaslReadyClient(new ConnectionFactoryBuilder()
                .setClientMode(ClientMode.Static) // one node, not an ElastiCache configuration endpoint
                .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY)
                .setAuthDescriptor(AuthDescriptor.typical(USER, PASSWORD)).build(), AddrUtil.getAddresses(sasl.address()));
        try {
            Poll.until(key + " holding '" + text + "'", Duration.ofSeconds(10),
                    () -> Memcached.containsAll(text).test(client.get(key, RawBytes.INSTANCE)));
        } finally {
            client.shutdown();
        }
    }

    /** The stored bytes as they are (the agent's payload, whatever the flags). */

    private static Path passwordFile(String name, String password) throws Exception {
        Path f = Servers.workDir(name).resolve("password");
        Files.write(f, List.of(password));
        return f;
    }

    @Test
    void sessionsFailOverThroughAnAuthenticatedNodeAndAWrongPasswordIsNamed() throws Exception {
        sasl = Memcached.startWithSasl(USER, PASSWORD);
        String options = "nodes=" + sasl.address() + ",username=" + USER + ",password.file="
                + passwordFile("pw", PASSWORD);
        ServerProcess a = tomcat("A", options);
        ServerProcess b = tomcat("B", options);
        Browser user = new Browser();
        user.get(a.url("/shop/counter?format=text"));
        user.get(a.url("/shop/cart/add?item=tea&format=text"));
        awaitStored(key(user.sessionId()), "tea"); // the asynchronous write
        a.kill9();
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertEquals("[tea]", onB.get("attr.cart"), "restored through the authenticated binary protocol");
        assertEquals("1", onB.get("attr.visits"));

        // The check command logs in the same way.
        Process check = new ProcessBuilder(Servers.java(), "-jar", Servers.AGENT_JAR.toString(), "check", options)
                .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), out);
        assertTrue(out.contains("(authenticated as " + USER + ")"), out);
        assertFalse(out.contains(PASSWORD), out);

        // A server with the wrong password keeps serving from memory and says why nothing is mirrored.
        String wrong = "wrong-" + PASSWORD;
        ServerProcess c = tomcat("C", "nodes=" + sasl.address() + ",username=" + USER + ",password.file="
                + passwordFile("wrong", wrong));
        Browser other = new Browser();
        assertEquals("1", other.get(c.url("/shop/counter?format=text")).get("attr.visits"));
        assertEquals("2", other.get(c.url("/shop/counter?format=text")).get("attr.visits"));
        String log = c.awaitLog("refuses the SASL login of user 'shop'", Duration.ofSeconds(20));
        assertFalse(log.contains(wrong), "the password is never logged");
        Process badCheck = new ProcessBuilder(Servers.java(), "-jar", Servers.AGENT_JAR.toString(), "check",
                "nodes=" + sasl.address() + ",username=" + USER + ",password=" + wrong).redirectErrorStream(true).start();
        String badOut = new String(badCheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(badCheck.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, badCheck.exitValue(), badOut);
        assertTrue(badOut.contains("authentication failed (user name or password wrong)"), badOut);
        assertFalse(badOut.contains(wrong), badOut);
    }
}
