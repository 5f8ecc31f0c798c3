package io.sessionmirror.it;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Attach to a running Payara Micro 6 (started as its users start it, without the agent). */
class PayaraMicroAttachIT extends AbstractAttachIT {

    private final PayaraMicro6FailoverIT payara = new PayaraMicro6FailoverIT();

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return payara.launch(name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return payara.serverLabel();
    }

    /**
     * Fails today: the attach says "Server: Payara" and "Existing sessions exported to Memcached: 0 of 0 ...; every
     * session is mirrored from now on" while three exist. PayaraAdapter inherits Tomcat's liveSessions, which
     * looks for Tomcat's WebappClassLoaderBase (Payara's loaders are org.glassfish.web.loader.WebappClassLoader,
     * which know no context) and casts findSessions() to an array (the fork returns a List); the fork keeps no
     * static registry of its server either (ServerFactory stays empty: Payara's Embedded never initializes it).
     */
    @Override
    @Test
    @Disabled("Payara: an attach exports no existing session (PayaraAdapter.liveSessions missing); see the javadoc")
    void sessionsThatExistedBeforeTheAttachSurviveAKillRightAfterIt() throws Exception {
        super.sessionsThatExistedBeforeTheAttachSurviveAKillRightAfterIt();
    }
}
