package io.sessionmirror.it.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole checker run: one long-lived cluster, {@code users} threads each playing schedules back to back (each
 * a fresh browser), the fault injector striking at random moments, every schedule checked when it ends.
 * <p>
 * Long run (from the repository root, after {@code mvn -B -o -q -DskipTests verify}):
 * {@code mvn -B -o verify -P '!jdk25' -Dit.test=SessionGuaranteesCheckerIT -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dchecker.schedules=10000
 * -Dchecker.users=12 -Dchecker.maxMinutes=120}.
 * {@code -Dchecker.seed=<seed>} replays a run's schedules and fault plan; {@code -Dchecker.only=<index>} plays
 * that one schedule of the seed over and over (timing still varies: the seed fixes what is done, not when).
 */
final class CheckerRun {

    private CheckerRun() {
    }

    static Report run(CheckerConfig config) throws Exception {
        System.out.println("[checker] starting: " + config + " (replay with -Dchecker.seed=" + config.seed() + ")");
        long t0 = System.nanoTime();
        long deadline = t0 + config.maxMinutes() * 60_000_000_000L;
        Integer only = Integer.getInteger("checker.only");
        ScheduleGenerator generator = new ScheduleGenerator(config.seed(), Integer.getInteger("checker.attachPercent", 4));
        Report report = new Report(config, t0);
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "checker-request");
            t.setDaemon(true);
            return t;
        });
        try (Cluster cluster = Cluster.start(config)) {
            FaultInjector faults = new FaultInjector(cluster, config.seed(), config.faultGapMs());
            Thread injector = new Thread(faults, "checker-faults");
            if (config.faults()) {
                injector.start();
            }
            InvariantChecker checker = new InvariantChecker((server, start, end) -> cluster.server(server).windowOverlapping(start, end));
            UserDriver driver = new UserDriver(cluster, pool, config.attachKb());
            AtomicInteger next = new AtomicInteger();
            List<Throwable> errors = new ArrayList<>();
            List<Thread> users = new ArrayList<>();
            for (int u = 0; u < config.users(); u++) {
                Thread t = new Thread(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < config.schedules() && System.nanoTime() < deadline
                                && faults.failure() == null; i = next.getAndIncrement()) {
                            Schedule s = only == null ? generator.schedule(i)
                                    : ScheduleGenerator.generate(only, ScheduleGenerator.scheduleSeed(config.seed(), only),
                                            Integer.getInteger("checker.attachPercent", 4));
                            UserDriver.Run run = driver.play(s);
                            report.add(run, checker.check(run), faults);
                            int done = report.schedules();
                            if (done % 100 == 0) {
                                System.out.printf("[checker] %d schedules after %.0f s, %d violating%n", done,
                                        (System.nanoTime() - t0) / 1e9, report.violations());
                            }
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }, "checker-user-" + u);
                users.add(t);
                t.start();
            }
            for (Thread t : users) {
                t.join();
            }
            faults.stop();
            injector.join();
            report.faults(faults.log());
            if (faults.failure() != null) {
                throw new IllegalStateException("the fault injector failed", faults.failure());
            }
            if (!errors.isEmpty()) {
                throw new IllegalStateException("a user thread failed", errors.get(0));
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println(report.summary());
        return report;
    }
}
