package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.ServerFamily;
import io.sessionmirror.agent.payara.PayaraInstrumentation;
import io.sessionmirror.agent.tomcat.TomcatInstrumentation;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read from the real jars, no server started: the web-core.jar inside each Payara Micro the tests run, and
 * GlassFish 8's, has every member the Payara family needs and is recognized by it alone; Apache Tomcat's jars are recognized by the Tomcat
 * family alone. What {@code FamilyGate} decides on each, without the minutes a Payara takes to boot.
 */
class PayaraForkRecognitionIT {

    private final ServerFamily tomcat = new TomcatInstrumentation();
    private final ServerFamily payara = new PayaraInstrumentation();

    @ParameterizedTest
    @ValueSource(strings = {"payara-micro-6", "payara-micro-7"})
    void payaraMicrosWebCoreIsPayarasAndHasEveryMemberItNeeds(String module, @TempDir Path dir) throws Exception {
        Path webCore = dir.resolve("web-core.jar");
        try (ZipFile micro = new ZipFile(microJar(module).toFile());
             InputStream in = micro.getInputStream(micro.getEntry("MICRO-INF/runtime/web-core.jar"))) {
            Files.copy(in, webCore);
        }
        try (URLClassLoader server = new URLClassLoader(new URL[] {webCore.toUri().toURL()}, null)) {
            TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(server));
            assertTrue(payara.recognizes(pool), module);
            assertFalse(tomcat.recognizes(pool), "the Tomcat family steps aside on " + module);
            assertEquals(List.of(), payara.requiredMembers().missing(pool), module);
        }
    }

    /** Eclipse GlassFish 8's web-core.jar, the fork Payara's grew from, is served by the Payara family too. */
    @Test
    void glassFish8sWebCoreIsPayarasAndHasEveryMemberItNeeds() throws Exception {
        Path webCore = Servers.DEMO_SERVERS_DIR.resolve("glassfish-8/target/glassfish8/glassfish/modules/web-core.jar");
        assertTrue(Files.isRegularFile(webCore), webCore + ": build demo-apps/servers first");
        try (URLClassLoader server = new URLClassLoader(new URL[] {webCore.toUri().toURL()}, null)) {
            TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(server));
            assertTrue(payara.recognizes(pool));
            assertFalse(tomcat.recognizes(pool), "the Tomcat family steps aside on GlassFish 8");
            assertEquals(List.of(), payara.requiredMembers().missing(pool));
        }
    }

    @Test
    void apacheTomcatIsTomcats() throws Exception {
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> s = Files.list(Servers.SERVERS_DIR.resolve("tomcat-" + Servers.TOMCAT10))) {
            for (Path jar : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                jars.add(jar.toUri().toURL());
            }
        }
        assertFalse(jars.isEmpty());
        try (URLClassLoader server = new URLClassLoader(jars.toArray(new URL[0]), null)) {
            TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(server));
            assertTrue(tomcat.recognizes(pool));
            assertFalse(payara.recognizes(pool), "the Payara family steps aside on Apache Tomcat");
        }
    }

    private static Path microJar(String module) throws Exception {
        Path target = Servers.DEMO_SERVERS_DIR.resolve(module).resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("payara-micro-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no payara-micro jar in " + target));
        }
    }
}
