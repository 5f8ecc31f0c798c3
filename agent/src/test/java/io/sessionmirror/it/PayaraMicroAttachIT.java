package io.sessionmirror.it;

import static io.sessionmirror.it.AbstractFailoverIT.assertSameSession;
import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
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
     * Payara's existing sessions cannot be found at an attach (PayaraAdapter.whyLiveSessionsUnknown): the attach says
     * so instead of "0 of 0", and each of them is mirrored at its next request, as it is once the agent is there.
     */
    @Override
    @Test
    void sessionsThatExistedBeforeTheAttachSurviveAKillRightAfterIt() throws Exception {
        ServerProcess a = start("A", false);
        ServerProcess b = start("B", true);
        List<Browser> users = usersOn(a);
        AgentCli cli = attach(a);
        assertTrue(cli.out.contains("Not exported: Payara's sessions that existed before the attach are not exported"),
                cli.toString());
        for (Browser user : users) {
            user.get(a.url("/shop/session")); // the next request of each user
        }
        for (Browser user : users) {
            memcached.await(key("/shop", user.sessionId()), containsAll("visits"), STORED);
        }
        a.kill9();
        for (int u = 1; u <= 3; u++) {
            Browser user = users.get(u - 1);
            Map<String, String> onB = user.get(b.url("/shop/session"));
            assertEquals("B", onB.get("server"));
            assertSameSession(user.sessionId(), onB.get("id"), "user " + u + " keeps the session id");
            assertEquals("[apple" + u + ", pear" + u + "]", onB.get("attr.cart"), "user " + u + "'s cart");
        }
    }
}
