package io.sessionmirror.it;

import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plain failover (the same release on both servers) of a user signed in with Jetty's own FORM login
 * (web.xml login-config, a HashLoginService realm): Jetty keeps that login in the session as its
 * {@code SessionAuthentication}, a server class the web app's class loader hides, so it only survives when the
 * agent resolves Jetty's classes as Jetty's own stores do. Server B must know the user without a new login.
 */
abstract class AbstractJettyContainerLoginFailoverIT extends ServerTest {

    private static final String APP = "/upgrade";
    /** The attribute Jetty keeps the login under (its SessionAuthentication.AUTHENTICATED_ATTRIBUTE). */
    private static final String LOGIN_ATTRIBUTE = "org.eclipse.jetty.security.UserIdentity";

    /** The directory name of the Jetty line under demo-apps/servers. */
    protected abstract String line();

    private ServerProcess launch(String name) throws Exception {
        int port = Memcached.freePort();
        Path dir = Servers.workDir(name);
        List<String> cmd = new ArrayList<>();
        Collections.addAll(cmd, Servers.java(), Servers.javaagent(backend.agentOptions()), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Ddemo.server.name=" + name, "-Djava.io.tmpdir=" + dir,
                "-cp", Servers.JETTY_LAUNCHER_JAR + ":" + Servers.serverLib(line()) + "/*",
                "io.sessionmirror.demo.launcher.JettyLauncher", "--port", String.valueOf(port), "--env", "ee10",
                "--app", APP + "=" + AbstractRollingUpgradeIT.V1, "--realm", AbstractRollingUpgradeIT.REALM,
                "--user", AbstractRollingUpgradeIT.USER);
        ServerProcess server = started(ServerProcess.launch(name, port, cmd, Map.of(), dir.resolve("server.log")));
        server.awaitReady(APP + "/stats", READY);
        return server;
    }

    @Test
    void formLoginSurvivesTheFailover() throws Exception {
        ServerProcess a = launch("A");
        ServerProcess b = launch("B");
        SignInBrowser user = new SignInBrowser();

        SignInBrowser.Page asked = user.get(a.url(APP + "/account"));
        assertTrue(asked.status() == 302 && asked.location() != null, "Jetty redirects to its login page: " + asked);
        assertEquals("container", user.get(asked.location()).get("login-form"), "the login form");
        SignInBrowser.Page signedIn = user.post(a.url(APP + "/j_security_check"),
                Map.of("j_username", "alice", "j_password", "secret"));
        assertTrue(signedIn.status() / 100 == 3 && signedIn.location().endsWith(APP + "/account"),
                "the login succeeds and returns to the page asked for: " + signedIn);
        user.get(a.url(APP + "/prefs?theme=dark&pageSize=20"));
        SignInBrowser.Page onA = user.get(a.url(APP + "/account"));
        assertEquals("alice", onA.get("remoteUser"), "signed in on A: " + onA);
        String id = user.sessionId();
        // the login and the last change are in the stored copy
        backend.await(key(APP, id), containsAll(LOGIN_ATTRIBUTE, "dark"), STORED);

        a.kill9();
        SignInBrowser.Page onB = user.get(b.url(APP + "/account"));
        assertEquals(200, onB.status(), "still signed in on B, not sent to the login page: " + onB);
        assertEquals(b.name(), onB.get("server"), onB.toString());
        assertNull(onB.get("login-form"), "no login form on B: " + onB);
        assertEquals("alice", onB.get("remoteUser"), "the server knows the user on B: " + onB);
        assertEquals("alice", onB.get("principal"), onB.toString());
        assertEquals("false", onB.get("new"), "the user's session, not a new one: " + onB);
        AbstractFailoverIT.assertSameSession(id, onB.get("id"), "the same session id on B");
        assertEquals("Preferences[theme=dark, pageSize=20]", onB.get("attr.prefs"), onB.toString());
        assertTrue(b.log().lines().noneMatch(l -> l.contains("could not be restored")),
                "nothing of the session is left out on B:\n" + b.log());

        // the login stays: B now keeps it itself
        SignInBrowser.Page again = user.get(b.url(APP + "/account"));
        assertEquals("alice", again.get("remoteUser"), again.toString());
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Jetty (embedded)", Servers.versionOf(Servers.serverLib(line()), "jetty-server"), "ee10"};
    }
}
