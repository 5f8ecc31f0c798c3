package io.sessionmirror.it;

import static io.sessionmirror.it.AbstractFailoverIT.assertSameSession;
import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * WildFly keys sessions as Tomcat does (context path, id without route), so a session made on one resumes on the
 * other from the same cookie: WildFly's carries its instance-id ({@code .wildflyW}), Tomcat's its jvmRoute
 * ({@code .tomcatT}). Each server answers with its own route, so a balancer keeps the user where the session went.
 */
class WildFlyCrossServerIT extends ServerTest {

    @Test
    void aSessionMadeOnWildFlyResumesOnTomcatAndTheOtherWayRound() throws Exception {
        String options = backend.agentOptions();
        ServerProcess wildfly = started(WildFly.launch("wildflyW", "wildflyW", Memcached.freePort(), options,
                WildFly.AgentIn.JAVA_OPTS)).awaitReady("/shop/stats", READY);
        ServerProcess tomcat = started(Servers.embeddedTomcat(Servers.TOMCAT10, "tomcatT", Memcached.freePort(), options,
                List.of("--jvm-route", "tomcatT"))).awaitReady("/shop/stats", READY);

        // Made on WildFly, resumed on Tomcat.
        Browser fromWildFly = new Browser();
        fromWildFly.get(wildfly.url("/shop/cart/add?item=apple&format=text"));
        fromWildFly.get(wildfly.url("/shop/cart/add?item=pear-in-place&format=text"));
        Map<String, String> onWildFly = fromWildFly.get(wildfly.url("/shop/counter?format=text"));
        String wildFlyCookie = fromWildFly.sessionId();
        assertTrue(wildFlyCookie.endsWith(".wildflyW"), wildFlyCookie);
        backend.await(key("/shop", wildFlyCookie), containsAll("pear-in-place", "visits"), STORED);
        Map<String, String> onTomcat = fromWildFly.get(tomcat.url("/shop/session"));
        assertEquals("tomcatT", onTomcat.get("server"));
        assertSameSession(wildFlyCookie, onTomcat.get("id"), "Tomcat resumes WildFly's session");
        assertEquals("false", onTomcat.get("new"));
        assertEquals("[apple, pear-in-place]", onTomcat.get("attr.cart"));
        assertEquals("1", onTomcat.get("attr.visits"));
        assertEquals(onWildFly.get("created"), onTomcat.get("created"));
        assertEquals("1", onTomcat.get("cartActivations"));
        assertTrue(fromWildFly.sessionId().endsWith(".tomcatT"), "Tomcat's route now: " + fromWildFly.sessionId());

        // Made on Tomcat, resumed on WildFly.
        Browser fromTomcat = new Browser();
        fromTomcat.get(tomcat.url("/shop/cart/add?item=plum&format=text"));
        Map<String, String> madeOnTomcat = fromTomcat.get(tomcat.url("/shop/counter?format=text"));
        String tomcatCookie = fromTomcat.sessionId();
        assertTrue(tomcatCookie.endsWith(".tomcatT"), tomcatCookie);
        backend.await(key("/shop", tomcatCookie), containsAll("plum", "visits"), STORED);
        Map<String, String> resumed = fromTomcat.get(wildfly.url("/shop/session"));
        assertEquals("wildflyW", resumed.get("server"));
        assertSameSession(tomcatCookie, resumed.get("id"), "WildFly resumes Tomcat's session");
        assertEquals("false", resumed.get("new"));
        assertEquals("[plum]", resumed.get("attr.cart"));
        assertEquals("1", resumed.get("attr.visits"));
        assertEquals(madeOnTomcat.get("created"), resumed.get("created"));
        assertEquals("1", resumed.get("cartActivations"));
        assertEquals(io.sessionmirror.agent.core.SessionKeys.stripRoute(tomcatCookie) + ".wildflyW", fromTomcat.sessionId(),
                "WildFly's route now");

        // A change on WildFly reaches Tomcat, which held the older copy.
        String key = key("/shop", tomcatCookie);
        long versionBefore = FaultTest.version(backend.get(key));
        assertEquals("2", fromTomcat.get(wildfly.url("/shop/counter?format=text")).get("attr.visits"));
        backend.await(key, v -> FaultTest.version(v) > versionBefore, STORED);
        assertEquals("2", fromTomcat.get(tomcat.url("/shop/session")).get("attr.visits"), "Tomcat served its old copy");
    }

    @Override
    public String[] serverLabel() {
        return WildFly.label();
    }
}
