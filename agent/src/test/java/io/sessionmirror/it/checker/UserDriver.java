package io.sessionmirror.it.checker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Plays one schedule as one browser: keeps the session cookie (taking every {@code Set-Cookie}), lets the
 * cluster's balancer pick the server, fails over to another server when the chosen one is not listening (as a
 * balancer does), and records every request it made. It never retries a request that reached a server: an
 * answer or a broken connection is what the user saw.
 */
final class UserDriver {

    private static final int READ_TIMEOUT_MS = 30_000;

    private final Cluster cluster;
    private final ExecutorService pool;
    private final int attachKb;

    UserDriver(Cluster cluster, ExecutorService pool, int attachKb) {
        this.cluster = cluster;
        this.pool = pool;
        this.attachKb = attachKb;
    }

    /** What one schedule did: every request, in the order they were sent. */
    static final class Run {
        final Schedule schedule;
        final List<Observation> observations = Collections.synchronizedList(new ArrayList<>());
        /** Ids this schedule logged out or renamed, each once, as the cookie last held them. */
        final List<String> retired = new ArrayList<>();

        Run(Schedule schedule) {
            this.schedule = schedule;
        }
    }

    Run play(Schedule schedule) throws Exception {
        Run run = new Run(schedule);
        SplittableRandom r = new SplittableRandom(schedule.seed() * 31 + 7);
        String cookie = null;
        int lineage = 0;
        for (int step = 0; step < schedule.ops().size(); step++) {
            Op op = schedule.ops().get(step);
            Op.Kind kind = op.kind();
            if (kind == Op.Kind.HIT) {
                cookie = send(run, step, "HIT", "/shop/hits", cookie, lineage, null, r).cookie;
            } else if (kind == Op.Kind.SLOW_HIT) {
                cookie = send(run, step, "SLOW_HIT", "/shop/hits?ms=" + op.arg(), cookie, lineage, null, r).cookie;
            } else if (kind == Op.Kind.READ) {
                cookie = send(run, step, "READ", "/shop/session", cookie, lineage, null, r).cookie;
            } else if (kind == Op.Kind.MISROUTED_READ) {
                cookie = send(run, step, "MISROUTED_READ", "/shop/session", cookie, lineage,
                        cluster.nonSticky() ? null : cluster.other(cookie), r).cookie;
            } else if (kind == Op.Kind.BURST) {
                cookie = burst(run, step, op.arg(), cookie, lineage, r);
            } else if (kind == Op.Kind.LOGIN || kind == Op.Kind.RENEW) {
                String path = kind == Op.Kind.LOGIN ? "/shop/login?user=u" + schedule.index() + "&format=text"
                        : "/shop/renew?format=text";
                Sent s = send(run, step, kind.name(), path, cookie, lineage, null, r);
                if (s.answered && cookie != null && !Cluster.baseOf(cookie).equals(Cluster.baseOf(s.cookie))) {
                    retire(run, cookie);
                }
                cookie = s.cookie;
            } else if (kind == Op.Kind.LOGOUT) {
                Sent s = send(run, step, "LOGOUT", "/shop/logout?format=text", cookie, lineage, null, r);
                if (s.answered) { // a logout that broke may not have happened: its id is not retired
                    retire(run, cookie);
                }
                cookie = null;
                lineage++;
            } else if (kind == Op.Kind.ATTACH_LOGOUT) {
                attachAndLogout(run, step, op.arg(), cookie, lineage, r);
                cookie = null;
                lineage++;
            } else if (kind == Op.Kind.THINK) {
                Thread.sleep(op.arg()); // the user's think time, part of the schedule (not synchronisation)
            } else {
                probe(run, step, r);
            }
        }
        return run;
    }

    /** Keeps the full cookie (with its route): the probe sends what the browser still holds. */
    private static void retire(Run run, String id) {
        if (id == null) {
            return;
        }
        for (String r : run.retired) {
            if (Cluster.baseOf(r).equals(Cluster.baseOf(id))) {
                return;
            }
        }
        run.retired.add(id);
    }

    /** Several increments at once on the same session, each working a little (they overlap on the server). */
    private String burst(Run run, int step, int n, String cookie, int lineage, SplittableRandom r) throws Exception {
        List<Future<Sent>> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String what = "BURST[" + i + "]";
            String path = "/shop/hits?ms=" + r.nextInt(300);
            SplittableRandom own = r.split();
            parts.add(pool.submit(() -> send(run, step, what, path, cookie, lineage, null, own)));
        }
        String next = cookie;
        for (Future<Sent> f : parts) {
            Sent s = f.get();
            if (s.cookie != null && !s.cookie.equals(cookie)) {
                next = s.cookie; // a failover renamed the session (new route)
            }
        }
        return next;
    }

    /**
     * A large attachment being stored while, {@code delayMs} after it was sent, the same user logs out: the
     * logout must win for good (the review saw the session come back when the attachment's write landed after
     * the logout's delete).
     */
    private void attachAndLogout(Run run, int step, int delayMs, String cookie, int lineage, SplittableRandom r)
            throws Exception {
        SplittableRandom own = r.split();
        Future<Sent> attach = pool.submit(() -> send(run, step, "ATTACH", "/shop/attach?kb=" + attachKb + "&format=text",
                cookie, lineage, null, own));
        Thread.sleep(delayMs); // the race's offset, part of the schedule (not synchronisation)
        Sent logout = send(run, step, "LOGOUT", "/shop/logout?format=text", cookie, lineage, null, r);
        Sent attached = attach.get();
        if (logout.answered) {
            retire(run, cookie);
        }
        if (attached.cookie != null && !attached.cookie.equals(cookie)
                && !Cluster.baseOf(attached.cookie).equals(Cluster.baseOf(cookie))) {
            // the logout came first and the upload made a new session: log that one out too (it holds the file)
            Sent s = send(run, step, "LOGOUT", "/shop/logout?format=text", attached.cookie, lineage, null, r);
            if (s.answered) {
                retire(run, attached.cookie);
            }
        }
    }

    /** Every retired id, to a server picked at random among those up (a freshly started one included). */
    private void probe(Run run, int step, SplittableRandom r) throws Exception {
        for (String id : new ArrayList<>(run.retired)) {
            List<ServerNode> up = cluster.upServers();
            ServerNode target = up.isEmpty() ? null : up.get(r.nextInt(up.size()));
            send(run, step, "PROBE", "/shop/session", id, -1, target, r);
        }
    }

    private static final class Sent {
        private final String cookie;
        private final boolean answered;

        Sent(String cookie, boolean answered) {
            this.cookie = cookie;
            this.answered = answered;
        }

        String cookie() {
            return cookie;
        }

        boolean answered() {
            return answered;
        }

    }

    /**
     * One request; {@code target} null: the balancer picks. A server not listening is skipped for the next one
     * up; the request waits (bounded) while no server is up.
     */
    private Sent send(Run run, int step, String what, String path, String cookie, int lineage, ServerNode target,
                      SplittableRandom r) throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        ServerNode server = target;
        while (true) {
            if (server == null || !server.up()) {
                server = cluster.choose(cookie, r);
            }
            if (server == null) {
                cluster.awaitAnyUp(deadline);
                continue;
            }
            long start = System.nanoTime();
            try {
                RawHttp.Answer a = RawHttp.get(server.port(), path, cookie, READ_TIMEOUT_MS);
                String id = a.facts().containsKey("session") ? null : a.facts().get("id");
                String hits = a.facts().containsKey("hits") ? a.facts().get("hits") : a.facts().get("attr.hits");
                run.observations.add(new Observation(step, what, server.name(), cookie, start, System.nanoTime(),
                        a.status(), a.status() == 200 ? null : a.body(), id, hits == null ? null : Integer.valueOf(hits),
                        lineage));
                return new Sent(a.setCookieId() != null ? a.setCookieId() : cookie, a.status() == 200);
            } catch (RawHttp.NotListening down) {
                ServerNode next = cluster.other(server.name() + "." + server.name());
                server = next != null && next != server ? next : null;
                if (System.nanoTime() > deadline) {
                    throw down;
                }
                if (server == null) {
                    // Back off before the next connection attempt: the server that refused may still count as up
                    // for a moment (it is being killed), and nothing signals when it stops counting.
                    Thread.sleep(20);
                }
            } catch (IOException broken) {
                run.observations.add(new Observation(step, what, server.name(), cookie, start, System.nanoTime(), -1,
                        broken.toString(), null, null, lineage));
                return new Sent(cookie, false);
            }
        }
    }
}
