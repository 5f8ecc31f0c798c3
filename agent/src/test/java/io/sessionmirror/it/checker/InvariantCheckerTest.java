package io.sessionmirror.it.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The invariant checks on hand-made histories: each catches what it should and excuses what it should. */
class InvariantCheckerTest {

    private static final Schedule SCHEDULE = new Schedule(0, 1, List.of(new Op(Op.Kind.HIT, 0),
            new Op(Op.Kind.HIT, 0), new Op(Op.Kind.LOGOUT, 0), new Op(Op.Kind.HIT, 0), new Op(Op.Kind.PROBE, 0)));
    /** Server a went down from t=100 to t=110. */
    private static final InvariantChecker CHECKER = new InvariantChecker((server, start, end) ->
            server.equals("a") && start <= 110 && end >= 100 ? new ServerNode.DownWindow(100, 110, "kill -9") : null);

    private static Observation hit(long start, long end, String server, int hits) {
        return new Observation(0, "HIT", server, "S.a", start, end, 200, null, "S." + server, hits, 0);
    }

    private static Observation read(long start, long end, String server, Integer hits) {
        return new Observation(1, "READ", server, "S.a", start, end, 200, null, hits == null ? null : "S." + server, hits, 0);
    }

    private static String found(Observation... history) {
        UserDriver.Run run = new UserDriver.Run(SCHEDULE);
        run.observations.addAll(List.of(history));
        List<String> kinds = new ArrayList<>();
        for (InvariantChecker.Violation v : CHECKER.check(run)) {
            kinds.add(String.valueOf(v.invariant()));
        }
        return String.join("", kinds);
    }

    @Test
    void sequentialIncrementsAndReadsThatKeepUpAreFine() {
        assertEquals("", found(hit(1, 2, "a", 1), hit(3, 4, "a", 2), read(5, 6, "b", 2), hit(7, 8, "b", 3)));
    }

    @Test
    void overlappingRequestsMayAnswerInAnyOrder() {
        // a burst: the one sent first answered the higher count; they overlapped, so nothing is implied
        assertEquals("", found(hit(1, 9, "a", 3), hit(2, 5, "a", 2), hit(3, 6, "a", 1), read(10, 11, "a", 3)));
    }

    @Test
    void anIncrementThatDoesNotCountAnAcknowledgedOneIsALostWrite() {
        assertEquals("ac", found(hit(1, 2, "a", 1), hit(3, 4, "a", 2), hit(5, 6, "b", 2)));
    }

    @Test
    void aSessionGoneAfterAnAcknowledgedIncrementIsALostWrite() {
        assertEquals("ac", found(hit(1, 2, "a", 1), read(3, 4, "b", null)));
    }

    @Test
    void countsAreNotComparedAcrossALoginThatBroke() {
        // the server died during the login: the old id may have ended without the browser learning the new one
        // (server a is down from t=100 to t=110, which excuses the broken login itself)
        Observation brokenLogin = new Observation(1, "LOGIN", "a", "S.a", 95, 103, -1, "no HTTP answer", null, null, 0);
        assertEquals("", found(hit(90, 91, "a", 1), brokenLogin, hit(112, 113, "b", 1)));
        Observation answeredLogin = new Observation(1, "LOGIN", "a", "S.a", 95, 96, 200, null, "T.a", 1, 0);
        assertEquals("ac", found(hit(90, 91, "a", 1), answeredLogin, hit(112, 113, "b", 1)));
    }

    @Test
    void aReadGoingBackBehindAnotherReadIsAnOlderVersionServed() {
        assertEquals("c", found(read(1, 2, "a", 4), read(3, 4, "b", 3)));
    }

    @Test
    void countsOfDifferentSessionsOfOneScheduleAreNotCompared() {
        Observation next = new Observation(3, "HIT", "a", null, 5, 6, 200, null, "T.a", 1, 1);
        assertEquals("", found(hit(1, 2, "a", 5), next));
    }

    @Test
    void aLoggedOutIdThatComesBackIsCaughtAndNoSessionIsFine() {
        Observation logout = new Observation(2, "LOGOUT", "a", "S.a", 3, 4, 200, null, null, null, 0);
        Observation back = new Observation(4, "PROBE", "b", "S.a", 5, 6, 200, null, "S.b", 1, -1);
        Observation gone = new Observation(4, "PROBE", "b", "S.a", 5, 6, 200, null, null, null, -1);
        assertEquals("b", found(hit(1, 2, "a", 1), logout, back));
        assertEquals("", found(hit(1, 2, "a", 1), logout, gone));
    }

    @Test
    void aBrokenRequestIsExcusedOnlyWhenItsServerWentDownMeanwhile() {
        Observation brokenInKill = new Observation(0, "HIT", "a", "S.a", 95, 105, -1, "reset", null, null, 0);
        Observation brokenElsewhere = new Observation(0, "HIT", "b", "S.b", 95, 105, -1, "reset", null, null, 0);
        Observation error = new Observation(0, "HIT", "a", "S.a", 95, 105, 500, "boom", null, null, 0);
        Observation uploadAfterLogout = new Observation(0, "ATTACH", "a", "S.a", 1, 2, 409, "ended", null, null, 0);
        assertEquals("", found(brokenInKill, uploadAfterLogout));
        assertEquals("d", found(brokenElsewhere));
        assertEquals("d", found(error));
    }
}
