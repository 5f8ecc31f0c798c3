package io.sessionmirror.it;

import static io.sessionmirror.it.AbstractFailoverIT.assertSameSession;
import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.sessionmirror.agent.core.SessionKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Spring Boot 3 application, unchanged, run with {@code java -javaagent:... -jar app.jar}: a
 * session-scoped cart bean (Spring stores it as the attribute {@code scopedTarget.cart}) changed in
 * place through its proxy, a counter, a login that changes the id, a logout. Subclassed per embedded
 * server; the application is the same source built with a different starter.
 */
abstract class AbstractSpringBootFailoverIT extends ServerTest {

    /** The application's fat jar. */
    protected abstract Path jar();

    /** The embedded server's artifact in BOOT-INF/lib, e.g. tomcat-embed-core. */
    protected abstract String serverArtifact();

    protected abstract String serverName();

    @Override
    public String[] serverLabel() {
        return new String[] {"Spring Boot " + bootVersion() + " (" + serverName() + ")", libVersion(serverArtifact()), ""};
    }

    private String bootVersion() {
        return libVersion("spring-boot");
    }

    /** The version of a jar in the application's BOOT-INF/lib: what actually ran. */
    private String libVersion(String artifact) {
        try (ZipFile zip = new ZipFile(jar().toFile())) {
            return zip.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("BOOT-INF/lib/" + artifact + "-") && n.endsWith(".jar")
                            && Character.isDigit(n.charAt(("BOOT-INF/lib/" + artifact + "-").length())))
                    .map(n -> n.substring(("BOOT-INF/lib/" + artifact + "-").length(), n.length() - 4))
                    .findFirst().orElse("?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    ServerProcess start(String name) throws Exception {
        int port = Memcached.freePort();
        Path dir = Servers.workDir(name);
        List<String> cmd = new ArrayList<>();
        Collections.addAll(cmd, Servers.java(), Servers.javaagent("nodes=" + memcached.address()), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name, "-Djava.io.tmpdir=" + dir,
                "-jar", jar().toString(), "--server.port=" + port, "--server.servlet.context-path=/shop");
        return started(ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log"))).awaitReady("/shop/stats", READY);
    }

    String key(String id) {
        return key("/shop", id);
    }

    @Test
    @Tag(ServerTest.EVERY_JDK)
    void theApplicationsSessionResumesOnAnotherInstanceAndLoginAndLogoutAreMirrored() throws Exception {
        ServerProcess a = start("A");
        ServerProcess b = start("B");
        Browser user = new Browser();
        user.get(a.url("/shop/cart/add?item=apple"));
        user.get(a.url("/shop/cart/add?item=pear-in-place"));
        Map<String, String> onA = user.get(a.url("/shop/counter"));
        String id = user.sessionId();
        assertNotNull(id, "the shop creates a session");
        assertEquals("[apple, pear-in-place]", onA.get("attr.scopedTarget.cart"));
        memcached.await(key(id), containsAll("pear-in-place", "visits"), STORED);

        a.kill9();
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertEquals("B", onB.get("server"));
        assertSameSession(id, onB.get("id"), "same session id after failover");
        assertSameSession(id, Objects.requireNonNullElse(user.sessionId(), id), "no new session cookie");
        assertEquals("false", onB.get("new"));
        assertEquals("[apple, pear-in-place]", onB.get("attr.scopedTarget.cart"), "the session-scoped bean, changed in place");
        assertEquals("1", onB.get("attr.visits"));
        assertEquals(onA.get("created"), onB.get("created"));
        assertEquals("0", user.get(b.url("/shop/stats")).get("created"), "no session-created event on restore");

        // The session carries on on B: the bean is changed there too, then login moves it to a new id.
        user.get(b.url("/shop/cart/add?item=plum"));
        Map<String, String> loggedIn = user.get(b.url("/shop/login?user=alice"));
        String after = user.sessionId();
        assertNotEquals(SessionKeys.stripRoute(id), SessionKeys.stripRoute(after), "login changes the session id");
        assertEquals("alice", loggedIn.get("attr.user"));
        memcached.await(key(after), containsAll("plum", "alice"), STORED);
        memcached.await(key(id), io.sessionmirror.agent.codec.StoredCopy::isTombstone, STORED);

        ServerProcess c = start("C");
        Map<String, String> onC = user.get(c.url("/shop/session"));
        assertSameSession(after, onC.get("id"), "the new id resumes on a third instance");
        assertEquals("[apple, pear-in-place, plum]", onC.get("attr.scopedTarget.cart"));
        assertEquals("session=none", "session=" + user.get(c.url("/shop/logout")).getOrDefault("session", "?"));
        memcached.await(key(after), io.sessionmirror.agent.codec.StoredCopy::isTombstone, STORED);
    }
}
