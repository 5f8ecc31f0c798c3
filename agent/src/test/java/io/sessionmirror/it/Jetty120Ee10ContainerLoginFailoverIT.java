package io.sessionmirror.it;

/** Jetty 12.0 (EE 10, embedded): a FORM login survives a plain failover. */
class Jetty120Ee10ContainerLoginFailoverIT extends AbstractJettyContainerLoginFailoverIT {

    @Override
    protected String line() {
        return "jetty-12.0-ee10";
    }
}
