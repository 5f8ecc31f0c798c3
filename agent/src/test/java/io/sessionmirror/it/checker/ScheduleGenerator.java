package io.sessionmirror.it.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random schedules from the run's seed: schedule {@code i} depends only on the seed and {@code i}, so a
 * violation's schedule can be regenerated and replayed alone. Every schedule starts a session with an increment,
 * starts a new one after each logout, and ends with a read and a probe of every id it retired.
 */
final class ScheduleGenerator {

    private final long runSeed;
    private final int attachPercent;

    /** {@code attachPercent}: how often (per hundred steps) the expensive attach-and-logout race is drawn. */
    ScheduleGenerator(long runSeed, int attachPercent) {
        this.runSeed = runSeed;
        this.attachPercent = attachPercent;
    }

    static long scheduleSeed(long runSeed, int index) {
        return new SplittableRandom(runSeed).split().nextLong() ^ (0x9E3779B97F4A7C15L * (index + 1));
    }

    Schedule schedule(int index) {
        return generate(index, scheduleSeed(runSeed, index), attachPercent);
    }

    static Schedule generate(int index, long seed, int attachPercent) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Op> ops = new ArrayList<>();
        ops.add(new Op(Op.Kind.HIT, 0));
        int steps = 4 + r.nextInt(10);
        for (int i = 0; i < steps; i++) {
            Op op = next(r, attachPercent);
            ops.add(op);
            if (op.kind() == Op.Kind.LOGOUT || op.kind() == Op.Kind.ATTACH_LOGOUT) {
                ops.add(new Op(Op.Kind.HIT, 0)); // a new session for the steps after it
            }
        }
        ops.add(new Op(Op.Kind.READ, 0));
        ops.add(new Op(Op.Kind.PROBE, 0));
        return new Schedule(index, seed, List.copyOf(ops));
    }

    private static Op next(SplittableRandom r, int attachPercent) {
        if (r.nextInt(100) < attachPercent) {
            return new Op(Op.Kind.ATTACH_LOGOUT, r.nextInt(200));
        }
        int d = r.nextInt(100);
        if (d < 25) {
            return new Op(Op.Kind.HIT, 0);
        } else if (d < 40) {
            return new Op(Op.Kind.SLOW_HIT, 100 + r.nextInt(1400));
        } else if (d < 52) {
            return new Op(Op.Kind.BURST, 2 + r.nextInt(4));
        } else if (d < 67) {
            return new Op(Op.Kind.READ, 0);
        } else if (d < 72) {
            return new Op(Op.Kind.MISROUTED_READ, 0);
        } else if (d < 80) {
            return new Op(Op.Kind.LOGIN, 0);
        } else if (d < 86) {
            return new Op(Op.Kind.RENEW, 0);
        } else if (d < 91) {
            return new Op(Op.Kind.LOGOUT, 0);
        } else if (d < 97) {
            return new Op(Op.Kind.THINK, 500 + r.nextInt(11_500));
        }
        return new Op(Op.Kind.PROBE, 0);
    }
}
