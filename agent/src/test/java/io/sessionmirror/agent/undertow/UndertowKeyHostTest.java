package io.sessionmirror.agent.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sessionmirror.agent.core.SessionKeys;
import org.junit.jupiter.api.Test;

/** Which part of the key an Undertow deployment's host name becomes. */
class UndertowKeyHostTest {

    private final SessionKeys keys = new SessionKeys("sm");

    @Test
    void undertowsAndWildFlysDefaultHostAreTheDefaultHostOfEveryServer() {
        // Tomcat's default host (embedded: "localhost") and a Jetty context without virtual hosts both key as "_".
        assertEquals(SessionKeys.DEFAULT_HOST, UndertowWebApps.keyHost("localhost"), "DeploymentInfo's own default");
        assertEquals(SessionKeys.DEFAULT_HOST, UndertowWebApps.keyHost("default-host"), "WildFly's default host");
        assertEquals(SessionKeys.DEFAULT_HOST, UndertowWebApps.keyHost(null));
        assertEquals(SessionKeys.DEFAULT_HOST, UndertowWebApps.keyHost(""));
        assertEquals(keys.namespace(null, "/shop"), keys.namespace(UndertowWebApps.keyHost("localhost"), "/shop"),
                "a session created on Tomcat's default host resumes on Undertow's");
    }

    @Test
    void twoVirtualHostsWithTheSameContextPathDoNotShareSessions() {
        String a = keys.namespace(UndertowWebApps.keyHost("shop.example.com"), "/shop");
        String b = keys.namespace(UndertowWebApps.keyHost("admin.example.com"), "/shop");
        assertNotEquals(a, b);
        assertNotEquals(keys.namespace(null, "/shop"), a, "nor with the default host");
        assertEquals("sm:shop.example.com:/shop:", a, "the same key part as Tomcat's host of that name");
        assertEquals(a, keys.namespace(UndertowWebApps.keyHost("Shop.Example.COM"), "/shop"), "Tomcat lower-cases host names");
    }
}
