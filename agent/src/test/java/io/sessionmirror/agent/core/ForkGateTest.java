package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.payara.PayaraInstrumentation;
import io.sessionmirror.agent.tomcat.TomcatInstrumentation;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * Apache Tomcat and Payara's Catalina fork share the {@code org.apache.catalina} package names, so both families
 * look at both servers: each must work only in its own, and step aside from the other's without a warning (a
 * "leaves Tomcat alone" line on a Payara that is mirrored would send its operator looking for a problem).
 */
class ForkGateTest {

    private final RecordingLogger log = new RecordingLogger();
    private final ServerFamily tomcat = new TomcatInstrumentation();
    private final ServerFamily payara = new PayaraInstrumentation();

    @Test
    void onPayaraTheTomcatFamilyStepsAsideQuietlyAndThePayaraFamilyIsAdmitted() {
        ClassLoader server = FamilyGateTest.fakeServer(getClass().getClassLoader(), payara.requiredMembers(), m -> true);
        FamilyGate tomcatGate = new FamilyGate(tomcat, log);
        FamilyGate payaraGate = new FamilyGate(payara, log);

        assertFalse(tomcatGate.admits(server, null));
        assertTrue(payaraGate.admits(server, null));
        assertFalse(tomcatGate.active());
        assertTrue(payaraGate.active());
        assertEquals(List.of(), tomcatGate.refusals(), "stepping aside is no refusal");
        assertEquals(List.of(), log.at(Level.WARN));
    }

    @Test
    void onApacheTomcatThePayaraFamilyStepsAsideQuietlyAndTheTomcatFamilyIsAdmitted() {
        ClassLoader server = FamilyGateTest.fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(), m -> true);
        FamilyGate tomcatGate = new FamilyGate(tomcat, log);
        FamilyGate payaraGate = new FamilyGate(payara, log);

        assertTrue(tomcatGate.admits(server, null));
        assertFalse(payaraGate.admits(server, null));
        assertEquals(List.of(), payaraGate.refusals());
        assertEquals(List.of(), log.at(Level.WARN));
    }

    @Test
    void aPayaraThatLacksAMemberIsStillLeftAloneWithTheLineNamingIt() {
        ClassLoader server = FamilyGateTest.fakeServer(getClass().getClassLoader(), payara.requiredMembers(),
                m -> !"hasExpired".equals(m.name));
        FamilyGate payaraGate = new FamilyGate(payara, log);

        assertFalse(payaraGate.admits(server, null));
        List<String> warnings = log.at(Level.WARN);
        assertEquals(1, warnings.size(), String.valueOf(log.lines));
        assertTrue(warnings.get(0).startsWith("Session Mirror leaves Payara alone"), warnings.get(0));
        assertTrue(warnings.get(0).contains("StandardSession.hasExpired()"), warnings.get(0));
    }
}
