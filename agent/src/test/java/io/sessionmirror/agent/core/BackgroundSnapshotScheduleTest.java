package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tries to make write=async lose a session's last change, with seeded random schedules: several threads run
 * overlapping requests on a few sessions (AJAX), each changing an attribute, changing a mutable one in place or
 * only reading, with random pauses inside the request, while the writer snapshots in the background with a
 * random write.interval. Once every request has ended and the queue is drained, what Memcached holds must be
 * what the sessions hold. {@code -Dsnapshots.seed=N} replays one schedule.
 */
class BackgroundSnapshotScheduleTest {

    static List<Long> seeds() {
        String replay = System.getProperty("snapshots.seed");
        if (replay != null) {
            return List.of(Long.parseLong(replay));
        }
        List<Long> seeds = new ArrayList<>();
        long base = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            seeds.add(base + i);
        }
        return seeds;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theLastChangeOfEverySessionReachesTheStore(long seed) throws Exception {
        Random plan = new Random(seed);
        MirrorFixture.Options o = new MirrorFixture.Options().writeInterval(plan.nextInt(4) * 2L);
        try (MirrorFixture f = MirrorFixture.async(o)) {
            f.server.countsOwnUse = plan.nextBoolean();
            String[] ids = {"s0", "s1", "s2"};
            for (String id : ids) {
                f.write(id, "hits", new AtomicLong());
                f.write(id, "last", -1);
            }
            int threads = 4;
            int requests = 200;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> all = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                long threadSeed = plan.nextLong();
                int me = t;
                Thread th = new Thread(() -> {
                    Random r = new Random(threadSeed);
                    try {
                        start.await();
                        for (int i = 0; i < requests; i++) {
                            MirrorFixture.Req req = f.request();
                            req.lookup(ids[r.nextInt(ids.length)]);
                            switch (r.nextInt(3)) {
                                case 0:
                                    req.set("last", me * 100_000 + i);
                                    break;
                                case 1:
                                    ((AtomicLong) req.get("hits")).incrementAndGet(); // in place
                                    break;
                                default:
                                    req.get("last");
                            }
                            if (r.nextInt(4) == 0) {
                                Thread.yield(); // let the writer in while the session is in use
                            }
                            req.end();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "request-" + t);
                th.start();
                all.add(th);
            }
            start.countDown();
            for (Thread th : all) {
                th.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertTrue(failures.isEmpty(), () -> "seed " + seed + ": " + failures);
            f.settled();
            for (String id : ids) {
                FakeServer.Session s = f.server.local.get(id);
                assertEquals(((AtomicLong) s.attributes.get("hits")).get(),
                        ((AtomicLong) f.storedAttribute(id, "hits")).get(), "seed " + seed + ": hits of " + id);
                assertEquals(s.attributes.get("last"), f.storedAttribute(id, "last"), "seed " + seed + ": last of " + id);
            }
        }
    }
}
