package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.SessionKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line tools against sessions a real Tomcat wrote to a real memcached, signed and encrypted:
 * {@code inspect} shows the header and attributes only with the servers' secret (and says so without it), values
 * only with {@code --values}; {@code check-deploy} finds the session with {@code lru_crawler metadump} and reports
 * that a Cart class compiled with another serialVersionUID would drop the cart (exit 2), and nothing with the
 * unchanged classes (exit 0). The same on a Redis store, where sessions are found with {@code SCAN}.
 */
class ToolsIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final SessionKeys KEYS = new SessionKeys("sm");
    private static final String SECRET = "tools-it-secret-0123456789abcdef";

    private static Memcached memcached;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startMemcached() throws Exception {
        memcached = Memcached.start();
    }

    @AfterAll
    static void stopMemcached() throws Exception {
        memcached.stop();
    }

    /** The classes the server provides (the servlet API the demo Cart's listener interface comes from). */
    private static String serverLib() {
        return Servers.SERVERS_DIR.resolve("tomcat-" + Servers.TOMCAT10) + "/*";
    }

    @Test
    void inspectAndCheckDeployReadWhatTomcatStored() throws Exception {
        String nodes = "nodes=" + memcached.address();
        // write=sync: each response returns after its write is stored, so the store holds what the requests did
        String agent = nodes + ",serializer=java,write=sync,secret=" + SECRET + ",encrypt=true";
        String cookie;
        try (ServerProcess tomcat = Servers.embeddedTomcat(Servers.TOMCAT10, "toolsA", Memcached.freePort(), agent)
                .awaitReady("/shop/stats", READY)) {
            Browser user = new Browser();
            user.get(tomcat.url("/shop/cart/add?item=apple&format=text"));
            assertEquals("1", user.get(tomcat.url("/shop/counter?format=text")).get("attr.visits"));
            cookie = user.sessionId();
        }
        String key = KEYS.key(KEYS.namespace(null, "/shop"), cookie);
        assertTrue(memcached.get(key) != null, "stored before the server stopped");

        // without the secret: the header, and a clear refusal for the rest
        AgentCli noSecret = AgentCli.run("inspect", cookie, nodes, "app=/shop");
        assertEquals(0, noSecret.exit, noSecret.toString());
        assertTrue(noSecret.out.contains("key " + key), noSecret.toString());
        assertTrue(noSecret.out.contains("give secret=... (the servers' secret) to read the attributes"),
                noSecret.toString());
        assertFalse(noSecret.out.contains("cart"), noSecret.toString());

        // with it: the header and the attributes, no values
        AgentCli inspect = AgentCli.run("inspect", cookie, nodes, "secret=" + SECRET, "encrypt=true", "app=/shop");
        assertEquals(0, inspect.exit, inspect.toString());
        assertTrue(inspect.out.matches("(?s).*format\\s+5 \\(serializer java\\).*"), inspect.toString());
        assertTrue(inspect.out.contains("signed, encrypted"), inspect.toString());
        assertTrue(inspect.out.matches("(?s).*\\n  writer\\s+\\d+@\\S+\\n.*"), "the server that wrote it: " + inspect);
        assertTrue(noSecret.out.matches("(?s).*\\n  writer\\s+\\d+@\\S+\\n.*"), "a header field: " + noSecret);
        assertTrue(inspect.out.matches("(?s).*\\n  cart\\s+io\\.sessionmirror\\.demo\\.shop\\.Cart\\s+\\d+ bytes.*"),
                inspect.toString());
        assertTrue(inspect.out.matches("(?s).*\\n  visits\\s+java\\.lang\\.Integer\\s+\\d+ bytes.*"), inspect.toString());
        assertFalse(inspect.out.contains("[apple]"), "no values unless asked: " + inspect);

        // --values: JDK classes without a class path, the web app's with the war
        AgentCli jdkOnly = AgentCli.run("inspect", cookie, nodes, "secret=" + SECRET, "app=/shop", "--values");
        assertEquals(0, jdkOnly.exit, jdkOnly.toString());
        assertTrue(jdkOnly.out.contains("= 1\n"), jdkOnly.toString());
        assertTrue(jdkOnly.out.contains("cannot be shown") && jdkOnly.out.contains("no classpath= given"),
                jdkOnly.toString());
        AgentCli values = AgentCli.run("inspect", cookie, nodes, "secret=" + SECRET, "app=/shop", "--values",
                "classpath=" + Servers.JAKARTA_WAR + ":" + serverLib());
        assertEquals(0, values.exit, values.toString());
        assertTrue(values.out.contains("= [apple]"), values.toString());

        AgentCli missing = AgentCli.run("inspect", "NO-SUCH-SESSION", nodes, "app=/shop");
        assertEquals(1, missing.exit, missing.toString());
        assertTrue(missing.out.contains("No stored copy"), missing.toString());

        // check-deploy: the unchanged classes restore everything
        AgentCli same = AgentCli.run("check-deploy", Servers.JAKARTA_WAR + ":" + serverLib(), nodes,
                "secret=" + SECRET, "app=/shop");
        assertEquals(0, same.exit, same.toString());
        assertTrue(same.out.contains("lru_crawler metadump all"), same.toString());
        assertTrue(same.out.contains("Sessions read: 1"), same.toString());
        assertTrue(same.out.contains("Sessions that restore whole: 1"), same.toString());

        // a Cart compiled with another serialVersionUID, ahead of the war on the class path
        Path changed = compileIncompatibleCart();
        AgentCli broken = AgentCli.run("check-deploy", changed + ":" + Servers.JAKARTA_WAR + ":" + serverLib(), nodes,
                "secret=" + SECRET, "app=/shop", "sample=10");
        assertEquals(2, broken.exit, broken.toString());
        assertTrue(broken.out.contains("Sessions that restore whole: 0"), broken.toString());
        assertTrue(broken.out.contains("'cart' (io.sessionmirror.demo.shop.Cart) in 1 session: InvalidClassException"),
                broken.toString());
        assertTrue(broken.out.contains("serialVersionUID = 1, local class serialVersionUID = 2"), broken.toString());
        assertFalse(broken.out.contains("'visits'"), "only the changed class is reported: " + broken);

        // the tools wrote nothing: the stored copy is the one the server left
        assertEquals(1, memcached.keys().stream().filter(k -> k.equals(key)).count());
    }

    /** The same tools on a Redis store: {@code check-deploy} finds the session with {@code SCAN}. */
    @Test
    void inspectAndCheckDeployReadWhatTomcatStoredInRedis() throws Exception {
        try (Redis redis = Redis.start()) {
            String nodes = RedisBackends.standalone(redis).agentOptions();
            String cookie;
            try (ServerProcess tomcat = Servers.embeddedTomcat(Servers.TOMCAT10, "toolsRedis", Memcached.freePort(),
                    nodes + ",write=sync").awaitReady("/shop/stats", READY)) {
                Browser user = new Browser();
                user.get(tomcat.url("/shop/cart/add?item=pear&format=text"));
                cookie = user.sessionId();
            }
            AgentCli inspect = AgentCli.run("inspect", cookie, nodes, "app=/shop");
            assertEquals(0, inspect.exit, inspect.toString());
            assertTrue(inspect.out.matches("(?s).*\\n  cart\\s+io\\.sessionmirror\\.demo\\.shop\\.Cart\\s+\\d+ bytes.*"),
                    inspect.toString());

            AgentCli same = AgentCli.run("check-deploy", Servers.JAKARTA_WAR + ":" + serverLib(), nodes, "app=/shop");
            assertEquals(0, same.exit, same.toString());
            assertTrue(same.out.contains("SCAN"), same.toString());
            assertTrue(same.out.contains("Sessions read: 1"), same.toString());

            AgentCli broken = AgentCli.run("check-deploy", compileIncompatibleCart() + ":" + Servers.JAKARTA_WAR + ":"
                    + serverLib(), nodes, "app=/shop");
            assertEquals(2, broken.exit, broken.toString());
            assertTrue(broken.out.contains("'cart' (io.sessionmirror.demo.shop.Cart) in 1 session: InvalidClassException"),
                    broken.toString());
        }
    }

    private Path compileIncompatibleCart() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/io/sessionmirror/demo/shop")).resolve("Cart.java");
        Files.writeString(src, "package io.sessionmirror.demo.shop;\n"
                + "public class Cart implements java.io.Serializable {\n"
                + "    private static final long serialVersionUID = 2L;\n"
                + "    private final java.util.List<String> items = new java.util.ArrayList<>();\n"
                + "}\n");
        Path out = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", out.toString(), src.toString());
        assertEquals(0, rc, "javac");
        return out;
    }
}
