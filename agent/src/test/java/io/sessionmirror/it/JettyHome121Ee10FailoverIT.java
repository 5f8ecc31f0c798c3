package io.sessionmirror.it;

/** The Jetty 12.1 distribution (jetty-home 12.1.12, the newest 12.1 jetty-home served here), EE 10. */
class JettyHome121Ee10FailoverIT extends AbstractJettyHomeFailoverIT {
    @Override
    protected String module() {
        return "jetty-home-12.1";
    }

    @Override
    protected String environment() {
        return "ee10";
    }
}
