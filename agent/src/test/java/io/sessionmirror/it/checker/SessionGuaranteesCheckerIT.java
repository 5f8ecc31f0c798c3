package io.sessionmirror.it.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The randomized checker's short run inside {@code mvn verify}: 200 schedules of 10 concurrent users against two
 * Tomcats and three memcached nodes while servers are killed, stopped and restarted and memcached nodes lost.
 * Fails on any violation of the four guarantees, printing the seed, the schedule and the requests that show it.
 * See {@link CheckerRun} for the long run and replays.
 */
class SessionGuaranteesCheckerIT {

    @Test
    void noGuaranteeIsBrokenUnderRandomSchedulesAndFaults() throws Exception {
        CheckerConfig config = CheckerConfig.fromSystemProperties(200);
        Report report = CheckerRun.run(config);
        assertTrue(report.schedules() >= Math.min(config.schedules(), 50), "too few schedules ran: " + report.summary());
        assertEquals(0, report.violations(), report.summary() + "\n" + report.examples());
    }
}
