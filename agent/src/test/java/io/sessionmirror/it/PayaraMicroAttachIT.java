package io.sessionmirror.it;

import org.junit.jupiter.api.BeforeEach;

/**
 * Attach to a running Payara Micro 6 (started as its users start it, without the agent): the sessions that exist are
 * found through GlassFish's service registry and exported (PayaraLiveSessions).
 */
class PayaraMicroAttachIT extends AbstractAttachIT {

    private final PayaraMicro6FailoverIT payara = new PayaraMicro6FailoverIT();

    @BeforeEach
    void onASupportedJdk() {
        payara.onASupportedJdk(); // Payara Micro 6 runs on JDK 11 to 21: skipped in the JDK 25 pass
    }

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return payara.launch(name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return payara.serverLabel();
    }
}
