package io.sessionmirror.agent.payara;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.SessionKeys;
import org.junit.jupiter.api.Test;

/**
 * Which Payara virtual server is keyed as the default host. Payara Server's Engine names none; each HTTP listener
 * names its own: {@code http-listener-1} and {@code -2} the user's {@code server}, {@code admin-listener} the
 * admin console's {@code __asadmin}. Only the user's may share the default host's keys with other servers:
 * the admin console (context path /, on {@code __asadmin}) keyed as the default host would share
 * {@code sm:_:/:<id>} with the user's root web app, and a browser that sends the console's cookie to the
 * user's app (cookies ignore ports) would get the console's session, login included, restored there.
 */
class PayaraHostsTest {

    public static final class Connector {
        private final String host;

        Connector(String host) {
            this.host = host;
        }

        public String getDefaultHost() {
            return host;
        }
    }

    public static final class Service {
        public Object[] findConnectors() {
            return new Object[] {new Connector("server"), new Connector("server"), new Connector("__asadmin")};
        }
    }

    /** Payara Server's Engine: no default host of its own, one service with the domain's three listeners. */
    public static final class Engine {
        public String getDefaultHost() {
            return null;
        }

        public Object getService() {
            return new Service();
        }
    }

    private final PayaraAdapter adapter = new PayaraAdapter(new SessionKeys("sm"));

    @Test
    void theUsersVirtualServerIsTheDefaultHost() throws Exception {
        assertTrue(adapter.isDefaultHost(new Engine(), "server"));
    }

    @Test
    void theAdminConsolesVirtualServerIsNot() throws Exception {
        assertFalse(adapter.isDefaultHost(new Engine(), "__asadmin"),
                "the admin console's web apps would share the default host's keys with the user's");
    }
}
