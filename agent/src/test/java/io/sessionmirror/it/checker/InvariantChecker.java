package io.sessionmirror.it.checker;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks one finished schedule's history against the four guarantees. Each check is built so that a violation
 * can only be the agent's doing:
 * <ul>
 *   <li>the count lives in an {@code AtomicInteger} changed in place, so concurrent increments of one user never
 *       lose each other in the application; only requests that did not overlap (one answered before the other
 *       was sent) are compared, so the order the server chose for overlapping ones never matters;</li>
 *   <li>an id counts as retired only when the logout or login was answered (a logout that broke may not have
 *       happened), and probes are sent after that answer; Tomcat gives a cookie it does not know a fresh id,
 *       so the old id coming back can only be a restored copy;</li>
 *   <li>a broken connection, a 503 or a 404 is excused only when it overlapped the server being killed or stopped; a
 *       server that was not listening is never a failure, the balancer went to the other one.</li>
 * </ul>
 */
final class InvariantChecker {

    /** One broken guarantee: {@code invariant} is a, b, c or d; {@code evidence} the requests that show it. */
    static final class Violation {
        /** A short cause class for the tally (e.g. "LOGOUT racing ATTACH, same server"). */
        String tag = "";
        private final char invariant;
        private final String what;
        private final List<Observation> evidence;

        Violation(char invariant, String what, List<Observation> evidence) {
            this.invariant = invariant;
            this.what = what;
            this.evidence = evidence;
        }

        char invariant() {
            return invariant;
        }

        String what() {
            return what;
        }

        List<Observation> evidence() {
            return evidence;
        }

    }

    /** When each server was going down (the cluster's record; a fixed list in unit tests). */
    interface DownTimes {
        /** The window of {@code server} going down that overlaps {@code start..end}, or null. */
        ServerNode.DownWindow overlapping(String server, long start, long end);
    }

    private final DownTimes downTimes;

    InvariantChecker(DownTimes downTimes) {
        this.downTimes = downTimes;
    }

    List<Violation> check(UserDriver.Run run) {
        List<Observation> history;
        synchronized (run.observations) {
            history = new ArrayList<>(run.observations);
        }
        List<Violation> found = new ArrayList<>();
        versions(history, found);
        retiredIds(run, history, found);
        failures(history, found);
        return found;
    }

    /**
     * (a) an acknowledged increment is never lost: a later request sees that count or a higher one, and a later
     * increment answers a higher one. (c) no request sees a lower count than one seen by an earlier request.
     */
    private static void versions(List<Observation> history, List<Violation> found) {
        boolean a = false;
        boolean c = false;
        for (Observation later : history) {
            if (!bearsCount(later)) {
                continue;
            }
            for (Observation earlier : history) {
                if (earlier == later || !bearsCount(earlier) || earlier.lineage() != later.lineage()
                        || !earlier.before(later)) {
                    continue;
                }
                if (renamedUnknowingly(history, earlier, later)) {
                    continue;
                }
                int seen = count(earlier);
                int now = count(later);
                boolean behind = later.acknowledgedWrite() ? now <= seen : now < seen;
                if (!behind) {
                    continue;
                }
                String how = later.acknowledgedWrite() ? "an increment answered " + now + " after " + seen + " was seen"
                        : "a read saw " + now + " after " + seen + " was seen";
                String tag = earlier.server().equals(later.server()) ? "same server" : "after moving " + earlier.server()
                        + "->" + later.server();
                if (earlier.acknowledgedWrite() && !a) {
                    a = true;
                    found.add(new Violation('a', "acknowledged count " + seen + " lost: " + how, List.of(earlier, later)));
                    found.get(found.size() - 1).tag = tag;
                }
                if (!c) {
                    c = true;
                    found.add(new Violation('c', "went back: " + how, List.of(earlier, later)));
                    found.get(found.size() - 1).tag = tag;
                }
            }
        }
    }

    /**
     * Whether a login, renew or logout broke between the two requests (its server was killed while it ran). It
     * may have happened: the old id ended and the browser never learned the new one, so the session is lost to
     * it, with the agent or without (a server dying in the middle of a rename). Counts are not compared across it.
     */
    private static boolean renamedUnknowingly(List<Observation> history, Observation earlier, Observation later) {
        for (Observation x : history) {
            if (!x.ok() && (x.what().equals("LOGIN") || x.what().equals("RENEW") || x.what().equals("LOGOUT"))
                    && !x.before(earlier) && !later.before(x) && x.start() < later.start()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the request shows the session's count (logout and attach answers are not about it). */
    private static boolean bearsCount(Observation o) {
        return o.ok() && o.lineage() >= 0 && !o.what().equals("LOGOUT") && !o.what().equals("ATTACH");
    }

    /** The count shown; a session that is gone counts 0 (so losing it is caught as going back). */
    private static int count(Observation o) {
        return o.hits() == null ? 0 : o.hits();
    }

    /** (b) a probe with a logged-out or renamed id never gets that session back. */
    private static void retiredIds(UserDriver.Run run, List<Observation> history, List<Violation> found) {
        for (Observation o : history) {
            if (!o.what().equals("PROBE") || !o.ok()) {
                continue;
            }
            boolean sameId = o.id() != null && Cluster.baseOf(o.id()).equals(Cluster.baseOf(o.sentId()));
            if (sameId || o.hits() != null) {
                Observation retiredBy = retiring(history, Cluster.baseOf(o.sentId()));
                found.add(new Violation('b', "retired id " + o.sentId() + " restorable on " + o.server()
                        + " (answered id " + o.id() + ", hits " + o.hits() + ")"
                        + (retiredBy != null && !retiredBy.server().equals(o.server())
                                ? "; retired on " + retiredBy.server() + ", so " + o.server() + " served a copy of its own"
                                + " or one it loaded" : ""),
                        retiredBy == null ? List.of(o) : List.of(retiredBy, o)));
                Violation v = found.get(found.size() - 1);
                v.tag = retiredBy == null ? "?" : (run.schedule.ops().get(retiredBy.step()).kind() == Op.Kind.ATTACH_LOGOUT
                        ? "logout racing an 8 MB attach" : retiredBy.what())
                        + (retiredBy != null && retiredBy.server().equals(o.server()) ? ", probe on the same server"
                        : ", probe on the other server");
            }
        }
    }

    /** The answered request that retired an id (the last logout, login or renew sent with it). */
    private static Observation retiring(List<Observation> history, String id) {
        Observation last = null;
        for (Observation o : history) {
            if (o.ok() && o.sentId() != null && Cluster.baseOf(o.sentId()).equals(id)
                    && (o.what().equals("LOGOUT") || o.what().equals("LOGIN") || o.what().equals("RENEW"))) {
                last = o;
            }
        }
        return last;
    }

    /** (d) no request fails, except one broken by its server being killed or stopped while it ran. */
    private void failures(List<Observation> history, List<Violation> found) {
        for (Observation o : history) {
            if (o.ok() || (o.what().equals("ATTACH") && o.status() == 409)) {
                continue;
            }
            // a stopping Tomcat answers 503 (paused) or 404 (its web app already stopped) before it closes
            boolean excusable = o.status() < 0 || o.status() == 503 || o.status() == 404;
            ServerNode.DownWindow w = downTimes.overlapping(o.server(), o.start(), o.end());
            if (excusable && w != null) {
                continue;
            }
            found.add(new Violation('d', (o.status() < 0 ? "broken connection" : "status " + o.status())
                    + (w == null ? " with no fault on " + o.server() : " (" + w.fault() + " overlapped)")
                    + ": " + o.error(), List.of(o)));
        }
    }
}
