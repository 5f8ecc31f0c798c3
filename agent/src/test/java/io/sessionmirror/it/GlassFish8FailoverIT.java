package io.sessionmirror.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;

/**
 * Eclipse GlassFish 8 (glassfish-8.0.0.zip from Maven Central), run as its users run it, the way Payara Server is
 * (see {@link PayaraDomain}, which makes GlassFish domains too): a domain per server with the shop deployed by
 * {@code asadmin deploy} as /shop and /shop2, the agent among the domain's JVM options, and
 * {@code asadmin start-domain --verbose}. Its web container is the Catalina fork Payara's grew from, served by the
 * agent's Payara family. GlassFish 8 needs JDK 21 or later: it runs in the JDK 25 pass (profile jdk25) and is
 * skipped where the servers run on JDK 17.
 */
class GlassFish8FailoverIT extends AbstractFailoverIT {

    @BeforeEach
    void onJdk21OrLater() {
        assumeJdk21OrLater();
    }

    static void assumeJdk21OrLater() {
        int jdk = Servers.serverJdk();
        assumeTrue(jdk >= 21, "GlassFish 8 needs JDK 21 or later; the servers run on JDK " + jdk);
    }

    /** The glassfish8 folder that demo-apps/servers/glassfish-8 unpacked. */
    static Path home() {
        return PayaraDomain.distribution("glassfish-8", "glassfish8");
    }

    @Override
    protected ServerProcess launch(String name, int port, String agentOptions) throws Exception {
        return PayaraDomain.template(home(), "glassfish").launch(name, port, agentOptions);
    }

    @Override
    public String[] serverLabel() {
        return new String[] {"GlassFish", version(), ""};
    }

    /** The version the distribution says it is (glassfish/config/branding), e.g. 8.0.0. */
    private static String version() {
        return PayaraDomain.branding(home()).getProperty("product.version");
    }
}
