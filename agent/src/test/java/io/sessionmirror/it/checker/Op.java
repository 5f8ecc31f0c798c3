package io.sessionmirror.it.checker;

/** One step of a user's schedule. {@code arg}: milliseconds of a slow request, or the size of a burst. */
final class Op {
    private final Kind kind;
    private final int arg;

    Op(Kind kind, int arg) {
        this.kind = kind;
        this.arg = arg;
    }

    Kind kind() {
        return kind;
    }

    int arg() {
        return arg;
    }


    enum Kind {
        /** {@code /hits}: one increment, answered with the new count. */
        HIT,
        /** {@code /hits?ms=arg}: an increment that works a while first (in flight when a fault strikes). */
        SLOW_HIT,
        /** {@code arg} increments sent at once on the same session (a page's AJAX calls). */
        BURST,
        /** {@code /session}: the count, read only. */
        READ,
        /** {@code /session} on the server the route does not point to (a balancer that lost stickiness). */
        MISROUTED_READ,
        /** {@code /login}: changeSessionId and a user; the old id is retired. */
        LOGIN,
        /** {@code /renew}: changeSessionId only; the old id is retired. */
        RENEW,
        /** {@code /logout}: invalidate; the id is retired, the next step starts a new session. */
        LOGOUT,
        /** {@code /attach?kb=..} (a large write in flight) and, {@code arg} ms later, {@code /logout}, at once. */
        ATTACH_LOGOUT,
        /** The user reads the page for {@code arg} ms: long enough for faults to strike mid-schedule. */
        THINK,
        /** Every id this schedule retired so far, sent to a server chosen at random: none may come back. */
        PROBE
    }

    @Override
    public String toString() {
        return arg == 0 ? kind.name() : kind.name() + "(" + arg + ")";
    }
}
