package io.sessionmirror.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;

/**
 * Attach to a running GlassFish 8 (a domain started by {@code asadmin start-domain}, without the agent): the sessions
 * that exist are found through GlassFish's service registry and exported, as on Payara (PayaraLiveSessions). Needs
 * JDK 21 or later: it runs in the JDK 25 pass.
 */
class GlassFish8AttachIT extends AbstractAttachIT {

    private final GlassFish8FailoverIT glassfish = new GlassFish8FailoverIT();

    @BeforeEach
    void onJdk21OrLater() {
        GlassFish8FailoverIT.assumeJdk21OrLater();
    }

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return glassfish.launch(name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return glassfish.serverLabel();
    }

    /** Changes after an attach reach Memcached through the same family on Payara Micro (PayaraMicroAttachIT). */
    @Override
    @Disabled("covered by PayaraMicroAttachIT for the same family; GlassFish starts four times slower than Tomcat")
    void aChangeMadeAfterTheAttachArrivesTooAndASecondAttachAppliesNewNodes() {
    }
}
