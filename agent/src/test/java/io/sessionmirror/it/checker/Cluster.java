package io.sessionmirror.it.checker;

import io.sessionmirror.it.Poll;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The system under test: memcached nodes and two Tomcats with the agent, started once for a whole run. Also the
 * balancer's choice of server: by the route in the session id (sticky, as NGINX or mod_jk with jvmRoute), the
 * other server when that one is down; or any server that is up (non-sticky).
 */
final class Cluster implements AutoCloseable {

    final List<MemcachedNode> nodes = new ArrayList<>();
    final List<ServerNode> servers = new ArrayList<>();
    private final boolean nonSticky;

    private Cluster(boolean nonSticky) {
        this.nonSticky = nonSticky;
    }

    static Cluster start(CheckerConfig config) throws Exception {
        Cluster c = new Cluster(config.nonSticky());
        try {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < config.nodes(); i++) {
                MemcachedNode n = new MemcachedNode();
                c.nodes.add(n);
                n.start();
                addresses.add(n.address());
            }
            String options = "nodes=" + String.join(",", addresses) + "," + config.agentOptions();
            for (String name : List.of("a", "b")) {
                ServerNode s = new ServerNode(name, options);
                c.servers.add(s);
                s.start();
            }
            return c;
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }

    /** Waits until a server is up again (all were down: killed, restarting), at most until {@code deadlineNanos}. */
    void awaitAnyUp(long deadlineNanos) throws Exception {
        Poll.until("a server up (all were down)", java.time.Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())),
                () -> !upServers().isEmpty());
    }

    List<ServerNode> upServers() {
        List<ServerNode> up = new ArrayList<>();
        for (ServerNode s : servers) {
            if (s.up()) {
                up.add(s);
            }
        }
        return up;
    }

    ServerNode server(String name) {
        for (ServerNode s : servers) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** The server this request goes to, or null while none is up. */
    ServerNode choose(String cookieId, SplittableRandom r) {
        List<ServerNode> up = upServers();
        if (up.isEmpty()) {
            return null;
        }
        if (!nonSticky && cookieId != null) {
            String route = routeOf(cookieId);
            for (ServerNode s : up) {
                if (s.name().equals(route)) {
                    return s;
                }
            }
        }
        return up.get(r.nextInt(up.size()));
    }

    /** A server that is up other than the one the route points to (a misrouted request), or null. */
    ServerNode other(String cookieId) {
        String route = cookieId == null ? null : routeOf(cookieId);
        for (ServerNode s : upServers()) {
            if (!s.name().equals(route)) {
                return s;
            }
        }
        return null;
    }

    boolean nonSticky() {
        return nonSticky;
    }

    static String routeOf(String id) {
        int dot = id.lastIndexOf('.');
        return dot < 0 ? null : id.substring(dot + 1);
    }

    /** The id without its route: what names the session (and its memcached key). */
    static String baseOf(String id) {
        int dot = id == null ? -1 : id.lastIndexOf('.');
        return dot < 0 ? id : id.substring(0, dot);
    }

    @Override
    public void close() throws InterruptedException {
        for (ServerNode s : servers) {
            s.close();
        }
        for (MemcachedNode n : nodes) {
            n.close();
        }
    }
}
