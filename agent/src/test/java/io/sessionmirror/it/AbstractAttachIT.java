package io.sessionmirror.it;

import static io.sessionmirror.it.AbstractFailoverIT.assertSameSession;
import static io.sessionmirror.it.Memcached.containsAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A server started WITHOUT the agent holds sessions; {@code java -jar session-mirror-agent.jar attach <pid>}
 * loads the agent into it; it is killed with {@code kill -9} without one more request, and another
 * server (started with the agent) carries on with every session. Subclassed per server family.
 */
abstract class AbstractAttachIT extends ServerTest {

    /** Starts a server of this family; {@code agentOptions} null means without the agent. */
    protected abstract ServerProcess launch(String name, int port, String agentOptions) throws Exception;

    ServerProcess start(String name, boolean withAgent) throws Exception {
        return started(launch(name, Memcached.freePort(), withAgent ? "nodes=" + memcached.address() : null))
                .awaitReady("/shop/stats", READY);
    }

    /** Three users with a cart changed in place and a counter, on A. */
    List<Browser> usersOn(ServerProcess a) throws Exception {
        List<Browser> users = new ArrayList<>();
        for (int u = 1; u <= 3; u++) {
            Browser user = new Browser();
            user.get(a.url("/shop/cart/add?item=apple" + u + "&format=text"));
            user.get(a.url("/shop/cart/add?item=pear" + u + "&format=text")); // in place
            user.get(a.url("/shop/counter?format=text"));
            users.add(user);
        }
        return users;
    }

    AgentCli attach(ServerProcess a) throws Exception {
        AgentCli cli = AgentCli.run("attach", String.valueOf(a.pid()), "nodes=" + memcached.address());
        assertEquals(0, cli.exit, cli.toString());
        assertTrue(cli.out.contains("attached to process " + a.pid()), cli.toString());
        return cli;
    }

    @Test
    @Tag(ServerTest.EVERY_JDK)
    void sessionsThatExistedBeforeTheAttachSurviveAKillRightAfterIt() throws Exception {
        ServerProcess a = start("A", false);
        ServerProcess b = start("B", true);
        List<Browser> users = usersOn(a);
        AgentCli cli = attach(a);
        assertTrue(cli.out.contains("Existing sessions exported to Memcached: 3 of 3"), cli.toString());
        assertTrue(cli.out.matches("(?s).*\\nWeb apps with sessions: \\w+ web app '/shop'[^:\\n]*: 3\\n.*"), cli.toString());

        a.kill9(); // not one more request to A after the attach
        for (int u = 1; u <= 3; u++) {
            Browser user = users.get(u - 1);
            Map<String, String> onB = user.get(b.url("/shop/session"));
            assertEquals("B", onB.get("server"));
            assertSameSession(user.sessionId(), onB.get("id"), "user " + u + " keeps the session id");
            assertEquals("[apple" + u + ", pear" + u + "]", onB.get("attr.cart"), "user " + u + "'s cart, changed in place");
            assertEquals("1", onB.get("attr.visits"));
        }
    }

    @Test
    @Tag(ServerTest.CONTRACT)
    void aChangeMadeAfterTheAttachArrivesTooAndASecondAttachAppliesNewNodes() throws Exception {
        ServerProcess a = start("A", false);
        ServerProcess b = start("B", true);
        List<Browser> users = usersOn(a);
        attach(a);
        Browser first = users.get(0);
        first.get(a.url("/shop/cart/add?item=plum-after-attach&format=text"));
        memcached.await(key("/shop", first.sessionId()), containsAll("plum-after-attach"), STORED);

        // Attach again: the same memcached under another name (a new node list, applied at once) and
        // write=sync (needs a restart).
        String sameNodeOtherName = "localhost:" + memcached.port();
        AgentCli again = AgentCli.run("attach", String.valueOf(a.pid()), "nodes=" + sameNodeOtherName + ",write=sync");
        assertEquals(0, again.exit, again.toString());
        assertTrue(again.out.contains("is already active in process " + a.pid() + " (attached)"), again.toString());
        assertTrue(again.out.contains("New options: applied nodes=[" + sameNodeOtherName + "]; need a restart: write=sync"
                + " (running: async)."), again.toString());
        first.get(a.url("/shop/cart/add?item=fig-after-reattach&format=text"));
        memcached.await(key("/shop", first.sessionId()), containsAll("fig-after-reattach"), STORED);

        a.kill9();
        assertEquals("[apple1, pear1, plum-after-attach, fig-after-reattach]", first.get(b.url("/shop/session")).get("attr.cart"));
    }
}
