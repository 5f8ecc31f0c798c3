package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tries to make write=async lose a session's last change, with seeded random schedules: several threads run
 * overlapping requests on a few sessions (AJAX), each changing an attribute, changing a mutable one in place or
 * only reading, with random pauses inside the request, while the writer snapshots in the background with a
 * random write.interval. Once every request has ended and the queue is drained, what Memcached holds must be
 * what the sessions hold. Now and then a request logs in: the session gets a new id (the old key is ended) while
 * other requests still use it, or still come with the old id. {@code -Dsnapshots.seed=N} replays one schedule.
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
            // Each slot is one user's session; a login gives it a new id (and ends the old key) at random.
            AtomicReferenceArray<String> ids = new AtomicReferenceArray<>(new String[] {"s0", "s1", "s2"});
            Object[] logins = {new Object(), new Object(), new Object()};
            AtomicInteger nextId = new AtomicInteger();
            List<String> retired = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int k = 0; k < ids.length(); k++) {
                f.write(ids.get(k), "hits", new AtomicLong());
                f.write(ids.get(k), "last", -1);
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
                            int k = r.nextInt(ids.length());
                            if (req.lookup(ids.get(k)) == null) {
                                req.end(); // its cookie names the id a login just retired
                                continue;
                            }
                            if (r.nextInt(25) == 0) {
                                synchronized (logins[k]) { // one login of a session at a time, as a server does
                                    String old = ids.get(k);
                                    if (req.session.id.equals(old)) {
                                        String fresh = "s" + k + "-" + nextId.incrementAndGet();
                                        f.changeId(req.session, fresh);
                                        ids.set(k, fresh);
                                        retired.add(old);
                                    }
                                }
                            }
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
            for (String old : retired) {
                assertTrue(f.tombstoned(old), "seed " + seed + ": the id a login retired is ended: " + old);
            }
            for (int k = 0; k < ids.length(); k++) {
                String id = ids.get(k);
                FakeServer.Session s = f.server.local.get(id);
                assertEquals(((AtomicLong) s.attributes.get("hits")).get(),
                        ((AtomicLong) f.storedAttribute(id, "hits")).get(), "seed " + seed + ": hits of " + id);
                assertEquals(s.attributes.get("last"), f.storedAttribute(id, "last"), "seed " + seed + ": last of " + id);
            }
        }
    }
}
