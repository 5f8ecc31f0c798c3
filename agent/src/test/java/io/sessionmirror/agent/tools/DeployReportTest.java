package io.sessionmirror.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeployReportTest {

    private static final String[] CART = {"cart", "com.shop.Cart", "InvalidClassException: com.shop.Cart; local class"
            + " incompatible: stream classdesc serialVersionUID = 1, local class serialVersionUID = 2"};

    private static String print(DeployReport r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        r.print(new PrintStream(b, true, StandardCharsets.UTF_8));
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countsPerAttributeClassAndReason() {
        DeployReport r = new DeployReport();
        r.restored(List.of());
        r.restored(List.<String[]>of(CART));
        r.restored(List.<String[]>of(CART));
        r.ended++;
        String text = print(r);
        assertTrue(text.contains("Sessions read: 3 (plus 1 ended, tombstones)"), text);
        assertTrue(text.contains("Sessions that restore whole: 1"), text);
        assertTrue(text.contains("'cart' (com.shop.Cart) in 2 sessions: InvalidClassException"), text);
        assertEquals(2, r.exitCode(false));
    }

    @Test
    void exitCodes() {
        DeployReport clean = new DeployReport();
        clean.restored(List.of());
        assertEquals(0, clean.exitCode(false));
        assertEquals(1, clean.exitCode(true), "a node not walked: the sample is incomplete");
        DeployReport whole = new DeployReport();
        whole.lostWhole("a stored class is not available here: com.shop.Cart");
        assertEquals(2, whole.exitCode(false));
        DeployReport noSecret = new DeployReport();
        noSecret.restored(List.<String[]>of(CART));
        noSecret.error("encrypted, and this server has no secret to decrypt it");
        assertEquals(1, noSecret.exitCode(false));
    }

    @Test
    void aMissingServletApiIsSaidToBeTheClassPathsFault() {
        DeployReport r = new DeployReport();
        r.restored(List.<String[]>of(new String[] {"cart", "com.shop.Cart",
                "NoClassDefFoundError: jakarta/servlet/http/HttpSessionActivationListener"}));
        assertTrue(print(r).contains("add the server's jars to the class path"), print(r));
    }
}
