package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failover with the nodes over TLS, on real Tomcats with the agent: memcached started with {@code -Z} wants a client
 * certificate; a session written by one server through TLS survives that server's kill -9 on another. A server with
 * the wrong CA serves from memory and says, once, why the node is refused; one with host name verification off says
 * so at start-up.
 */
class TlsFailoverIT extends FaultTest {

    @Override
    public String[] backendLabel() {
        return new String[] {"Memcached", "over TLS (memcached -Z)", Backend.memcachedVersion()};
    }

    private TestCertificates certs;

    @AfterEach
    void removeCertificates() throws Exception {
        if (certs != null) {
            certs.close();
        }
    }

    @Test
    void aSessionSurvivesAServerKillWithTheNodesOverTls() throws Exception {
        certs = TestCertificates.create();
        Memcached node = node(Memcached.startWithTls(certs, certs.serverCert, certs.serverKey, true));
        String options = "nodes=" + node.address() + ",tls=true,tls.ca=" + certs.ca + ",tls.cert=" + certs.clientCert
                + ",tls.key=" + certs.clientKey;
        ServerProcess a = tomcat("A", options);
        ServerProcess b = tomcat("B", options + ",tls.verify.hostname=false");
        b.awaitLog("tls.verify.hostname=false: any certificate the CA signed is accepted", Duration.ofSeconds(10));

        Browser user = new Browser();
        user.get(a.url("/shop/counter?format=text"));
        user.get(a.url("/shop/cart/add?item=tea&format=text"));
        node.await(key(user.sessionId()), Memcached.containsAll("tea"), Duration.ofSeconds(10)); // through TLS
        a.kill9();
        Map<String, String> onB = user.get(b.url("/shop/session"));
        assertEquals("[tea]", onB.get("attr.cart"), "restored over TLS with a client certificate");
        assertEquals("1", onB.get("attr.visits"));

        ServerProcess c = tomcat("C", "nodes=" + node.address() + ",tls=true,tls.ca=" + certs.wrongCa + ",tls.cert="
                + certs.clientCert + ",tls.key=" + certs.clientKey);
        Browser other = new Browser();
        assertEquals("1", other.get(c.url("/shop/counter?format=text")).get("attr.visits"));
        assertEquals("2", other.get(c.url("/shop/counter?format=text")).get("attr.visits"), "served from memory");
        c.awaitLog("refuses the TLS connection: the server's certificate is not signed by a CA in tls.ca",
                Duration.ofSeconds(20));
    }
}
