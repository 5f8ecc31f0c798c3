package io.sessionmirror.it;

/** The Jetty 12.0 distribution (jetty-home 12.0.31), EE 10 environment. */
class JettyHome120Ee10FailoverIT extends AbstractJettyHomeFailoverIT {
    @Override
    protected String module() {
        return "jetty-home-12.0";
    }

    @Override
    protected String environment() {
        return "ee10";
    }
}
