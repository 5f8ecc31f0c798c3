package io.sessionmirror.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.ServerFamily;
import io.sessionmirror.agent.jetty.JettyInstrumentation;
import io.sessionmirror.agent.support.RequiredMembers;
import io.sessionmirror.agent.tomcat.TomcatInstrumentation;
import io.sessionmirror.agent.undertow.UndertowInstrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every server version the tests run has every member its family's adapter needs, read from the server's own
 * jars (no server started): the list that {@code FamilyGate} checks before instrumenting is neither stale nor
 * too strict. A version that fails here would be left alone at run time, with a line naming the member.
 */
class RequiredMembersIT {

    private static final List<ServerFamily> FAMILIES = List.of(
            new TomcatInstrumentation(), new JettyInstrumentation(), new UndertowInstrumentation());
    private static final Path DEBIAN_TOMCAT = Paths.get("/usr/share/tomcat10/lib");

    /** The class path of each server the failover tests run: Tomcat's from the build, the demo servers' lib dirs. */
    static Stream<Path> servers() throws Exception {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(Servers.SERVERS_DIR)) {
            s.filter(d -> d.getFileName().toString().startsWith("tomcat-")).forEach(dirs::add);
        }
        try (Stream<Path> s = Files.list(Servers.DEMO_SERVERS_DIR)) {
            // redisson-tomcat-10 is not a server: Redisson's session manager, added to the benchmark's Tomcat
            s.filter(d -> !d.getFileName().toString().startsWith("redisson-"))
                    .map(d -> d.resolve("target/lib")).filter(Files::isDirectory).forEach(dirs::add);
        }
        if (Files.isDirectory(DEBIAN_TOMCAT)) {
            dirs.add(DEBIAN_TOMCAT);
        }
        return dirs.stream().sorted();
    }

    @Test
    void everyServerLineIsThere() throws Exception {
        // 3 Tomcat lines and 15 Jetty/Undertow ones: a build that left some out must not pass below by omission.
        assertTrue(servers().count() >= 17, servers().map(Path::toString).collect(Collectors.joining(", ")));
    }

    @ParameterizedTest
    @MethodSource("servers")
    void hasEveryMemberItsFamilyNeeds(Path dir) throws Exception {
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path jar : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                jars.add(jar.toUri().toURL());
            }
        }
        try (URLClassLoader server = new URLClassLoader(jars.toArray(new URL[0]), null)) {
            TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(server));
            List<String> families = new ArrayList<>();
            for (ServerFamily family : FAMILIES) {
                RequiredMembers required = family.requiredMembers();
                boolean present = required.all().stream().anyMatch(m -> m.name == null
                        && family.packagePrefixes().stream().anyMatch(m.owner::startsWith)
                        && pool.describe(m.owner).isResolved());
                if (present) {
                    families.add(family.name());
                    assertEquals(List.of(), required.missing(pool), family.name() + " in " + dir);
                }
            }
            assertTrue(!families.isEmpty(), "no family's classes in " + dir + ": " + jars);
        }
    }
}
