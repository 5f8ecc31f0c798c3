package io.sessionmirror.it.checker;

/**
 * What one checker run does, from system properties ({@code -Dchecker.<name>=...}) with defaults sized for the
 * short run inside {@code mvn verify}.
 *
 * @param seed         the run's seed: schedules and the fault plan follow from it ({@code checker.seed})
 * @param schedules    per-user schedules to complete ({@code checker.schedules})
 * @param users        users running schedules at the same time ({@code checker.users})
 * @param nodes        memcached nodes ({@code checker.nodes}, 1 to 3)
 * @param replicas     the agent's {@code replicas} ({@code checker.replicas})
 * @param write        the agent's {@code write} ({@code checker.write}: sync or async)
 * @param nonSticky    the agent in {@code mode=non-sticky,lock=all} and the driver picking a server per request at
 *                     random ({@code checker.mode=non-sticky}); else sticky by route with failover
 * @param faults       whether faults are injected ({@code checker.faults}, default true)
 * @param faultGapMs   the longest quiet time between two faults ({@code checker.faultGapMs})
 * @param attachKb     the attachment's size in the attach-and-logout race ({@code checker.attachKb})
 * @param maxMinutes   stop after this long even if fewer schedules completed ({@code checker.maxMinutes})
 */
final class CheckerConfig {
    private final long seed;
    private final int schedules;
    private final int users;
    private final int nodes;
    private final int replicas;
    private final String write;
    private final boolean nonSticky;
    private final boolean faults;
    private final int faultGapMs;
    private final int attachKb;
    private final int maxMinutes;

    CheckerConfig(long seed, int schedules, int users, int nodes, int replicas, String write, boolean nonSticky, boolean faults, int faultGapMs, int attachKb, int maxMinutes) {
        this.seed = seed;
        this.schedules = schedules;
        this.users = users;
        this.nodes = nodes;
        this.replicas = replicas;
        this.write = write;
        this.nonSticky = nonSticky;
        this.faults = faults;
        this.faultGapMs = faultGapMs;
        this.attachKb = attachKb;
        this.maxMinutes = maxMinutes;
    }

    long seed() {
        return seed;
    }

    int schedules() {
        return schedules;
    }

    int users() {
        return users;
    }

    int nodes() {
        return nodes;
    }

    int replicas() {
        return replicas;
    }

    String write() {
        return write;
    }

    boolean nonSticky() {
        return nonSticky;
    }

    boolean faults() {
        return faults;
    }

    int faultGapMs() {
        return faultGapMs;
    }

    int attachKb() {
        return attachKb;
    }

    int maxMinutes() {
        return maxMinutes;
    }


    static CheckerConfig fromSystemProperties(int defaultSchedules) {
        String seed = System.getProperty("checker.seed", "");
        int nodes = Integer.getInteger("checker.nodes", 3);
        return new CheckerConfig(
                seed.isEmpty() ? System.nanoTime() ^ System.currentTimeMillis() : Long.parseLong(seed),
                Integer.getInteger("checker.schedules", defaultSchedules),
                Integer.getInteger("checker.users", 10),
                nodes,
                Math.min(Integer.getInteger("checker.replicas", 1), nodes - 1),
                System.getProperty("checker.write", "sync"),
                "non-sticky".equals(System.getProperty("checker.mode", "sticky")),
                Boolean.parseBoolean(System.getProperty("checker.faults", "true")),
                Integer.getInteger("checker.faultGapMs", 2500),
                Integer.getInteger("checker.attachKb", 8192),
                Integer.getInteger("checker.maxMinutes", 4));
    }

    /** The agent options every server gets (memcached addresses are added by the cluster). */
    String agentOptions() {
        return "write=" + write + ",replicas=" + replicas + ",max.size=64m,timeout=1000"
                + (nonSticky ? ",mode=non-sticky,lock=all" : "");
    }

    @Override
    public String toString() {
        return "seed=" + seed + " schedules=" + schedules + " users=" + users + " memcached=" + nodes + " "
                + agentOptions() + (faults ? " faultGapMs=" + faultGapMs : " no faults") + " attachKb=" + attachKb;
    }
}
