package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A rolling upgrade, run against every server a subclass starts: release v1 of the upgrade shop
 * (demo-apps/upgrade-webapp) on server A, a user signs in and fills the session; A dies (kill -9) and the user's
 * next request reaches server B, which already runs release v2. Between the releases the cart's items changed
 * incompatibly (another serialVersionUID) and the preferences compatibly (a field added, the same
 * serialVersionUID). On B the user must still be signed in, the preferences must be there with their old values
 * (the new field at its default), and the cart alone is dropped: one WARN naming it, its class and why, and the
 * web app's droppedAttributes counter at 1. Once with the container's FORM login (the principal the server keeps
 * in the session), once with Spring Security (a SecurityContext in a session attribute).
 */
abstract class AbstractRollingUpgradeIT extends ServerTest {

    static final Path V1 = Servers.path("upgradeWarV1");
    static final Path V2 = Servers.path("upgradeWarV2");
    /** The container user: the launchers' --user, the realm the web app's login-config names. */
    static final String USER = "alice:secret:shopper";
    static final String REALM = "shop";
    private static final String APP = "/upgrade";

    /**
     * Starts a server with the agent, {@code war} deployed at {@code /upgrade}, the container user {@link #USER}
     * in realm {@link #REALM}, and these agent options.
     */
    protected abstract ServerProcess launch(String name, int port, Path war, String agentOptions) throws Exception;

    /**
     * A and B, started together (v1 on A, v2 on B with its Prometheus endpoint on {@code metricsPort}). JDK
     * serialization: its serialVersionUID rules are what tell a compatible change from an incompatible one (FST,
     * the default, has no such rules: see "Deploying a new version" in docs/operations.md).
     */
    private ServerProcess[] servers(int metricsPort) throws Exception {
        String options = backend.agentOptions(); // the default serializer (java): its compatibility rules are the ones tested
        ServerProcess a = started(launch("A", Memcached.freePort(), V1, options));
        ServerProcess b = started(launch("B", Memcached.freePort(), V2, options + ",metrics.port=127.0.0.1:" + metricsPort));
        a.awaitReady(APP + "/stats", READY);
        b.awaitReady(APP + "/stats", READY);
        return new ServerProcess[] {a, b};
    }

    @Test
    void containerFormLoginSurvivesTheUpgradeAndOnlyTheIncompatibleCartIsDropped() throws Exception {
        int metricsPort = Memcached.freePort();
        ServerProcess[] ab = servers(metricsPort);
        ServerProcess a = ab[0];
        ServerProcess b = ab[1];
        SignInBrowser user = new SignInBrowser();

        SignInBrowser.Page asked = user.get(a.url(APP + "/account"));
        if (asked.location() != null) { // Jetty redirects to the login page, Tomcat forwards to it
            asked = user.get(asked.location());
        }
        assertEquals("container", asked.get("login-form"), "the protected page asks for a login first: " + asked);
        SignInBrowser.Page signedIn = user.post(a.url(APP + "/j_security_check"), Map.of("j_username", "alice", "j_password", "secret"));
        assertTrue(signedIn.status() / 100 == 3 && signedIn.location().endsWith(APP + "/account"),
                "the login succeeds and returns to the page asked for: " + signedIn);

        runUpgrade(a, b, user, APP + "/account", "alice", metricsPort);
    }

    @Test
    void springSecurityLoginSurvivesTheUpgradeAndOnlyTheIncompatibleCartIsDropped() throws Exception {
        int metricsPort = Memcached.freePort();
        ServerProcess[] ab = servers(metricsPort);
        ServerProcess a = ab[0];
        ServerProcess b = ab[1];
        SignInBrowser user = new SignInBrowser();

        SignInBrowser.Page asked = user.get(a.url(APP + "/secure/account"));
        assertTrue(asked.status() == 302 && asked.location().endsWith(APP + "/secure/login"),
                "Spring Security sends a stranger to its login page: " + asked);
        SignInBrowser.Page signedIn = user.post(a.url(APP + "/secure/login"), Map.of("username", "bob", "password", "secret"));
        assertTrue(signedIn.status() == 302 && signedIn.location().contains(APP + "/secure/account"),
                "the login succeeds and returns to the page asked for: " + signedIn);

        runUpgrade(a, b, user, APP + "/secure/account", "bob", metricsPort);
    }

    /** From a signed-in user on A (v1) to the same user on B (v2), with the checks both logins share. */
    private void runUpgrade(ServerProcess a, ServerProcess b, SignInBrowser user, String protectedPage, String name,
                            int metricsPort) throws Exception {
        user.get(a.url(APP + "/cart/add?item=apple"));
        user.get(a.url(APP + "/cart/add?item=pear"));
        user.get(a.url(APP + "/prefs?theme=dark&pageSize=20"));
        SignInBrowser.Page onA = user.get(a.url(protectedPage));
        assertEquals(200, onA.status(), onA.toString());
        assertEquals("v1", onA.get("release"));
        assertEquals(name, onA.get("remoteUser"), "signed in on A: " + onA);
        assertEquals("[1xapple, 1xpear]", onA.get("attr.cart"));
        assertEquals("Preferences[theme=dark, pageSize=20]", onA.get("attr.prefs"));
        String id = user.sessionId();
        // the last change is stored (each write is the whole session, login included)
        backend.await(key(APP, id), containsAll("pear", "dark"), STORED);

        a.kill9();
        SignInBrowser.Page onB = user.get(b.url(protectedPage));
        assertEquals(200, onB.status(), "still signed in on B, not sent to a login page: " + onB);
        assertEquals(b.name(), onB.get("server"), onB.toString());
        assertEquals("v2", onB.get("release"));
        assertNull(onB.get("login-form"), "still signed in on B, not shown a login form: " + onB);
        assertEquals(name, onB.get("remoteUser"), "the server knows the user on B: " + onB);
        assertEquals(name, onB.get("principal"), onB.toString());
        assertEquals("false", onB.get("new"), "the user's session, not a new one: " + onB);
        AbstractFailoverIT.assertSameSession(id, onB.get("id"), "the same session id on B");
        assertEquals("Preferences[theme=dark, pageSize=20, currency=null]", onB.get("attr.prefs"),
                "the compatible attribute keeps its values, the new field its default: " + onB);
        assertFalse(onB.facts().containsKey("attr.cart"), "the incompatible cart is dropped: " + onB);

        // a second request on B restores nothing again and reports nothing again
        SignInBrowser.Page again = user.get(b.url(protectedPage));
        assertEquals(name, again.get("remoteUser"), again.toString());
        assertEquals(1, awaitDroppedAttributes(metricsPort), "droppedAttributes counts the cart once");
        List<String> warnings = b.log().lines().filter(l -> l.contains("serialVersionUID")).collect(Collectors.toList());
        assertEquals(1, warnings.size(), "one WARN for the dropped cart: " + warnings + "\n" + b.log());
        String warning = warnings.get(0);
        assertTrue(warning.contains("WARN") && warning.contains("'cart'") && warning.contains("io.sessionmirror.demo.upgrade.Cart")
                && warning.contains("stream classdesc serialVersionUID = 1, local class serialVersionUID = 2"),
                "the WARN names the attribute, its class and the reason: " + warning);
    }

    /** B's droppedAttributes counter of the upgrade shop, once it is above zero (or what it is after 10 s). */
    private static long awaitDroppedAttributes(int metricsPort) throws Exception {
        Pattern counter = Pattern.compile("sessionmirror_dropped_attributes_total\\{app=\"[^\"]*" + APP + "\"} (\\d+)");
        long[] seen = {-1};
        String[] scrape = {""};
        try {
            Poll.until("droppedAttributes counts the cart", Duration.ofSeconds(10), () -> {
                scrape[0] = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = counter.matcher(scrape[0]);
                seen[0] = m.find() ? Long.parseLong(m.group(1)) : -1;
                return seen[0] > 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError("no droppedAttributes count above 0 for " + APP + " in:\n" + scrape[0], e);
        }
        return seen[0];
    }
}
