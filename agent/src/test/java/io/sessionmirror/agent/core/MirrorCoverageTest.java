package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.jetty.JettyInstrumentation;
import io.sessionmirror.agent.tomcat.TomcatInstrumentation;
import io.sessionmirror.agent.undertow.UndertowInstrumentation;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * "Active" never stands alone: the log names each web app the first time one of its sessions is mirrored, and
 * says at ERROR when every server the families found was left alone, so that nothing is mirrored at all.
 */
class MirrorCoverageTest {

    private final RecordingLogger log = new RecordingLogger();
    private final MirrorCoverage coverage = new MirrorCoverage(log);

    @Test
    void theActiveLineNamesTheServersTheAgentWaitsFor() {
        assertEquals("a Tomcat, Jetty or Undertow server", MirrorCoverage.waitingFor(List.of(
                new TomcatInstrumentation(), new JettyInstrumentation(), new UndertowInstrumentation())));
        assertEquals("a Tomcat server", MirrorCoverage.waitingFor(List.of(new TomcatInstrumentation())));
    }

    @Test
    void eachWebAppIsNamedOnceTheFirstTimeOneOfItsSessionsIsMirrored() {
        SessionStates states = new SessionStates(coverage::mirrors);
        WebApp shop = new WebApp("sm:_:/shop:", "Tomcat web app '/shop'", getClass().getClassLoader());
        WebApp admin = new WebApp("sm:_:/admin:", "Tomcat web app '/admin'", getClass().getClassLoader());
        Object s1 = new Object();
        Object s2 = new Object();
        states.of(s1, shop);
        states.of(s1, shop);
        states.of(s2, shop);
        states.of(new Object(), admin);

        List<String> lines = log.at(Level.INFO);
        assertEquals(2, lines.size(), String.valueOf(log.lines));
        assertTrue(lines.get(0).startsWith("Session Mirror mirrors Tomcat web app '/shop' (keys sm:_:/shop:<id>, server "),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("Session Mirror mirrors Tomcat web app '/admin'"), lines.get(1));
        assertEquals(Set.of("sm:_:/shop:", "sm:_:/admin:"), coverage.mirrored());
    }

    @Test
    void theCoreTellsTheCoverageOfTheFirstSessionItMirrors() throws Exception {
        try (MirrorFixture f = MirrorFixture.async()) {
            assertEquals(Set.of(), f.services.coverage.mirrored());
            f.write("COVER00001", "user", "alice");
            f.write("COVER00002", "user", "bob");
            assertEquals(Set.of(f.server.webAppOfManager(FakeServer.MANAGER).namespace()), f.services.coverage.mirrored());
        }
    }

    @Test
    void aWildFlyNamesItselfInItsProductModule(@TempDir Path home) throws Exception {
        Path module = Files.createDirectories(home.resolve("modules/system/layers/base/org/jboss/as/product/main"));
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("JBoss-Product-Release-Name", "WildFly");
        m.getMainAttributes().putValue("JBoss-Product-Release-Version", "39.0.1.Final");
        try (OutputStream out = Files.newOutputStream(module.resolve("wildfly-feature-pack-product-conf-39.0.1.Final.jar"));
             JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.flush();
        }
        Files.createDirectories(home.resolve("bin"));
        Files.write(home.resolve("bin/product.conf"), List.of("# JBoss product branding configuration", "slot=main"));
        assertEquals("WildFly 39.0.1.Final", ServerProduct.jboss(home.toString()));
        assertNull(ServerProduct.jboss(home.resolve("nothing-here").toString()));
        assertNull(ServerProduct.jboss(null));
    }

    @Test
    void whenEveryFamilyThatFoundAServerLeftItAloneTheLogSaysNothingIsMirroredOnce() {
        ServerFamily tomcat = new TomcatInstrumentation();
        FamilyGate tomcatGate = new FamilyGate(tomcat, log, coverage);
        new FamilyGate(new UndertowInstrumentation(), log, coverage); // found no server: says nothing
        ClassLoader fork = FamilyGateTest.fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(),
                m -> !"getContext".equals(m.name));
        ClassLoader anotherFork = FamilyGateTest.fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(),
                m -> !"getContext".equals(m.name));

        tomcatGate.admits(fork, null);
        tomcatGate.admits(anotherFork, null);

        List<String> errors = log.at(Level.ERROR);
        assertEquals(1, errors.size(), String.valueOf(log.lines));
        assertTrue(errors.get(0).startsWith("Session Mirror mirrors nothing in this JVM: it left every server it found"
                + " alone (Tomcat)"), errors.get(0));
        assertEquals(2, log.at(Level.WARN).size(), "each server left alone is still named with its reason");
    }

    @Test
    void aFamilyAtWorkAnywhereMeansSomethingIsMirrored() {
        ServerFamily tomcat = new TomcatInstrumentation();
        FamilyGate gate = new FamilyGate(tomcat, log, coverage);
        ClassLoader good = FamilyGateTest.fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(), m -> true);
        ClassLoader fork = FamilyGateTest.fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(),
                m -> !"getContext".equals(m.name));
        assertTrue(gate.admits(good, null));
        gate.admits(fork, null);
        assertEquals(List.of(), log.at(Level.ERROR));
        assertEquals(1, log.at(Level.WARN).size());
    }
}
