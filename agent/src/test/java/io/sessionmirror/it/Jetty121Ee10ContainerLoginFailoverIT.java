package io.sessionmirror.it;

/** Jetty 12.1 (EE 10, embedded): a FORM login survives a plain failover. */
class Jetty121Ee10ContainerLoginFailoverIT extends AbstractJettyContainerLoginFailoverIT {

    @Override
    protected String line() {
        return "jetty-12.1-ee10";
    }
}
