package io.sessionmirror.it;

import java.nio.file.Path;

/**
 * Payara Server 6, the full distribution (payara-6.2025.9.zip from Maven Central), run the way its users run
 * it: a domain per server (see {@link PayaraDomain}: the shop deployed with {@code asadmin deploy} as /shop and
 * /shop2, one session cookie with path /), the agent among the domain's JVM options in domain.xml, and
 * {@code asadmin start-domain --verbose}, the foreground start (the server JVM is asadmin's child and asadmin
 * exits when it does; {@link ServerProcess} kills or stops the server itself, not only asadmin).
 */
class PayaraServerFailoverIT extends AbstractFailoverIT {

    /** The payara6 folder that demo-apps/servers/payara-6 unpacked. */
    private static Path home() {
        return PayaraDomain.distribution("payara-6", "payara6");
    }

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return PayaraDomain.template(home()).launch(name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"Payara Server", version(), ""};
    }

    /** The version the distribution says it is (glassfish/config/branding), e.g. 6.2025.9. */
    private static String version() {
        java.util.Properties p = PayaraDomain.branding(home());
        return p.getProperty("major_version") + "." + p.getProperty("minor_version") + "." + p.getProperty("update_version");
    }
}
