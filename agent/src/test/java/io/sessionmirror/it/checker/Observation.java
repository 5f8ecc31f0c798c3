package io.sessionmirror.it.checker;

/**
 * One request as the client saw it: sent at {@code start}, answered (or broken) at {@code end}, both
 * {@code System.nanoTime()}.
 *
 * @param step     the schedule step it belongs to
 * @param what     the request, e.g. {@code HIT}, {@code BURST[2]}, {@code PROBE}
 * @param server   the server it went to
 * @param sentId   the session id in its cookie (null: none)
 * @param status   the HTTP status, or -1 when the connection broke
 * @param error    why it broke (null when answered)
 * @param id       the session id of the answer (null: no session)
 * @param hits     the count the answer showed (null: none shown)
 * @param lineage  which of the schedule's sessions it belongs to (a logout starts the next one)
 */
final class Observation {
    private final int step;
    private final String what;
    private final String server;
    private final String sentId;
    private final long start;
    private final long end;
    private final int status;
    private final String error;
    private final String id;
    private final Integer hits;
    private final int lineage;

    Observation(int step, String what, String server, String sentId, long start, long end, int status, String error, String id, Integer hits, int lineage) {
        this.step = step;
        this.what = what;
        this.server = server;
        this.sentId = sentId;
        this.start = start;
        this.end = end;
        this.status = status;
        this.error = error;
        this.id = id;
        this.hits = hits;
        this.lineage = lineage;
    }

    int step() {
        return step;
    }

    String what() {
        return what;
    }

    String server() {
        return server;
    }

    String sentId() {
        return sentId;
    }

    long start() {
        return start;
    }

    long end() {
        return end;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    String id() {
        return id;
    }

    Integer hits() {
        return hits;
    }

    int lineage() {
        return lineage;
    }


    boolean ok() {
        return status == 200;
    }

    /** An answered increment: the server acknowledged a change to this count. */
    boolean acknowledgedWrite() {
        return ok() && hits != null && (what.startsWith("HIT") || what.startsWith("SLOW_HIT") || what.startsWith("BURST"));
    }

    /** Whether this request's answer arrived before {@code later} was sent (they did not overlap). */
    boolean before(Observation later) {
        return end < later.start;
    }

    String describe(long t0) {
        return String.format("step %d %s -> %s [%.3f..%.3f s] cookie=%s: %s", step, what, server,
                (start - t0) / 1e9, (end - t0) / 1e9, sentId,
                status < 0 ? "broken (" + error + ")"
                        : status + (id == null ? " no session" : " id=" + id) + (hits == null ? "" : " hits=" + hits));
    }
}
