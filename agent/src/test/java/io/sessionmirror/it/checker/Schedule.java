package io.sessionmirror.it.checker;

import java.util.List;

/** One user's run from a fresh browser to its last step; {@code seed} alone regenerates {@code ops}. */
final class Schedule {
    private final int index;
    private final long seed;
    private final List<Op> ops;

    Schedule(int index, long seed, List<Op> ops) {
        this.index = index;
        this.seed = seed;
        this.ops = ops;
    }

    int index() {
        return index;
    }

    long seed() {
        return seed;
    }

    List<Op> ops() {
        return ops;
    }


    @Override
    public String toString() {
        return "schedule #" + index + " (seed " + seed + "): " + ops;
    }
}
