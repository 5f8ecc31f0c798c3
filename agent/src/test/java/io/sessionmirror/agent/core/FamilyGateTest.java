package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.support.RequiredMembers;
import io.sessionmirror.agent.tomcat.TomcatInstrumentation;
import io.sessionmirror.agent.undertow.UndertowInstrumentation;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ByteArrayClassLoader;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * A server the agent cannot work in is left alone, in one line that says why: a member its adapter needs is
 * missing (Payara's Catalina fork has no {@code Manager.getContext()}), or the instrumented class's loader
 * cannot see the bridge (WildFly's {@code io.undertow.core} module without {@code jboss.modules.system.pkgs}).
 * The servers here are built from the family's own list of required members, minus what the case takes away.
 */
class FamilyGateTest {

    private final RecordingLogger log = new RecordingLogger();
    private final ServerFamily tomcat = new TomcatInstrumentation();

    @Test
    void aTomcatWithEveryMemberItsAdapterNeedsIsAdmitted() {
        FamilyGate gate = new FamilyGate(tomcat, log);
        ClassLoader server = fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(), m -> true);
        assertTrue(gate.admits(server, null), String.valueOf(log.lines));
        assertTrue(gate.active());
        assertEquals(List.of(), log.lines);
    }

    @Test
    void aCatalinaForkWithoutManagerGetContextIsLeftAloneInOneLineNamingIt(@TempDir Path dir) throws Exception {
        FamilyGate gate = new FamilyGate(tomcat, log);
        ClassLoader payara = fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(),
                m -> !(m.owner.equals("org.apache.catalina.session.ManagerBase") && "getContext".equals(m.name)));
        ProtectionDomain webCore = domainOf(jar(dir.resolve("web-core.jar"), "Payara Server", "6.2025.1"));

        assertFalse(gate.admits(payara, webCore), "not instrumented");
        assertFalse(gate.admits(payara, webCore), "nor any other class of that loader");
        assertFalse(gate.active(), "Tomcat is not at work in this JVM");
        List<String> warnings = log.at(Level.WARN);
        assertEquals(1, warnings.size(), "one line, however many classes: " + log.lines);
        String line = warnings.get(0);
        assertTrue(line.startsWith("Session Mirror leaves Tomcat alone in web-core.jar (Payara Server 6.2025.1)"), line);
        assertTrue(line.contains("org.apache.catalina.session.ManagerBase.getContext()"), line);
        assertTrue(line.endsWith("Its sessions are not mirrored."), line);
        assertEquals(List.of(line), gate.refusals());
    }

    @Test
    void aMissingFieldIsNamedAsAField() {
        FamilyGate gate = new FamilyGate(tomcat, log);
        ClassLoader server = fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(),
                m -> !(m.owner.endsWith("StandardSession") && "expiring".equals(m.name)));
        assertFalse(gate.admits(server, null));
        assertTrue(log.at(Level.WARN).get(0).contains("org.apache.catalina.session.StandardSession.expiring (field)"),
                String.valueOf(log.lines));
    }

    @Test
    void aModuleLoaderThatStillCannotSeeTheBridgeIsLeftAloneWithTheSettingToChange() throws Exception {
        ServerFamily undertow = new UndertowInstrumentation();
        FamilyGate gate = new FamilyGate(undertow, log);
        // What WildFly's io.undertow.core module is to the agent: a JBoss Modules loader that delegates only the
        // packages listed in jboss.modules.system.pkgs, here none (its parent is the boot loader, as in the test
        // JVM the bridge is on the application class path, not the boot one).
        ClassLoader module = (ClassLoader) new ByteBuddy().subclass(ClassLoader.class)
                .name("org.jboss.modules.ModuleClassLoader").make()
                .load(getClass().getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded()
                .getDeclaredConstructor(ClassLoader.class).newInstance((ClassLoader) null);

        assertFalse(gate.admits(module, null));
        assertFalse(gate.active());
        String line = log.at(Level.WARN).get(0);
        assertTrue(line.startsWith("Session Mirror leaves Undertow alone in an unknown version: its class loader"
                + " (org.jboss.modules.ModuleClassLoader"), line);
        assertTrue(line.contains("cannot see io.sessionmirror.bootstrap.MirrorBridge"), line);
        // BridgeDelegation should have prevented this: the line says so, and gives the server's own setting, keeping
        // what standalone.conf puts there (a -Djboss.modules.system.pkgs of ours alone would drop org.jboss.byteman)
        assertTrue(line.contains("please report this"), line);
        assertTrue(line.contains("JBOSS_MODULES_SYSTEM_PKGS=\"org.jboss.byteman,io.sessionmirror.bootstrap\""), line);
    }

    @Test
    void eachClassLoaderIsJudgedOnItsOwn() {
        FamilyGate gate = new FamilyGate(tomcat, log);
        ClassLoader good = fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(), m -> true);
        ClassLoader fork = fakeServer(getClass().getClassLoader(), tomcat.requiredMembers(), m -> !"getContext".equals(m.name));
        assertFalse(gate.admits(fork, null));
        assertTrue(gate.admits(good, null));
        assertTrue(gate.active(), "at work where it was admitted");
        assertEquals(1, gate.refusals().size());
    }

    @Test
    void theServerVersionIsReadFromItsJarWhereverTheLoaderSaysItIs(@TempDir Path dir) throws Exception {
        Path jar = jar(dir.resolve("undertow-core-2.3.18.Final.jar"), "Undertow Core", "2.3.18.Final");
        String expected = "undertow-core-2.3.18.Final.jar (Undertow Core 2.3.18.Final)";
        assertEquals(expected, FamilyGate.serverVersion(domainOf(jar)));
        // JBoss Modules gives a module's code source as a jar: URL
        ProtectionDomain module = new ProtectionDomain(new CodeSource(new java.net.URL("jar:" + jar.toUri() + "!/"),
                (Certificate[]) null), null);
        assertEquals(expected, FamilyGate.serverVersion(module));
        assertEquals("an unknown version", FamilyGate.serverVersion(null));
    }

    /** A server whose classes have exactly the members {@code keep} lets through, all declared on their owner. */
    static ClassLoader fakeServer(ClassLoader parent, RequiredMembers required, Predicate<RequiredMembers.Member> keep) {
        Map<String, DynamicType.Builder<?>> builders = new LinkedHashMap<>();
        for (RequiredMembers.Member m : required.all()) {
            DynamicType.Builder<?> b = builders.computeIfAbsent(m.owner,
                    owner -> new ByteBuddy().subclass(Object.class).name(owner));
            if (!keep.test(m) || m.name == null) {
                continue;
            }
            if (m.isField()) {
                b = b.defineField(m.name, Object.class, Visibility.PRIVATE);
            } else {
                b = b.defineMethod(m.name, Object.class, Visibility.PUBLIC)
                        .withParameters(Collections.nCopies(m.arity, TypeDescription.ForLoadedType.of(Object.class)))
                        .intercept(FixedValue.nullValue());
            }
            builders.put(m.owner, b);
        }
        Map<String, byte[]> classes = new HashMap<>();
        builders.forEach((name, b) -> classes.put(name, b.make().getBytes()));
        return new ByteArrayClassLoader.ChildFirst(parent, classes, ByteArrayClassLoader.PersistenceHandler.MANIFEST);
    }

    private static Path jar(Path file, String title, String version) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, title);
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return file;
    }

    private static ProtectionDomain domainOf(Path jar) throws Exception {
        return new ProtectionDomain(new CodeSource(jar.toUri().toURL(), (Certificate[]) null), null);
    }
}
