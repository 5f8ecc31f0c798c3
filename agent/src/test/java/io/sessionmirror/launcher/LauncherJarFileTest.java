package io.sessionmirror.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** Where the agent jar is, however the launcher was loaded (the JVM, or JBoss Modules through MODULE_OPTS). */
class LauncherJarFileTest {

    @Test
    void aFileUrlIsTheJar() throws Exception {
        assertEquals(new File("/opt/sm/session-mirror-agent.jar"),
                SessionMirrorLauncher.jarFile(new URL("file:/opt/sm/session-mirror-agent.jar")));
    }

    @Test
    void aJarUrlAsJBossModulesGivesItIsTheJarItNames() throws Exception {
        assertEquals(new File("/opt/sm/session-mirror-agent.jar"),
                SessionMirrorLauncher.jarFile(new URL("jar:file:/opt/sm/session-mirror-agent.jar!/")));
    }

    @Test
    void escapedCharactersAreDecoded() throws Exception {
        assertEquals(new File("/opt/my agents/session-mirror-agent.jar"),
                SessionMirrorLauncher.jarFile(new URL("jar:file:/opt/my%20agents/session-mirror-agent.jar!/")));
    }
}
