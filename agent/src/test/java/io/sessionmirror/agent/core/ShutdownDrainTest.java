package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShutdownDrainTest {

    private final WriteBehindQueue queue = new WriteBehindQueue(100);
    private final InFlightRequests requests = new InFlightRequests();
    private final AtomicBoolean storeClosed = new AtomicBoolean();
    private final List<String> written = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        queue.stop();
    }

    private final class Write extends WriteBehindQueue.Task {
        Write(String key) {
            super(key);
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return true;
        }

        @Override
        protected void run() {
            if (storeClosed.get()) {
                throw new IllegalStateException("store closed");
            }
            written.add(key);
        }

        @Override
        protected void failed(String why) {
        }
    }

    private ShutdownDrain drain(long quietMillis) {
        return new ShutdownDrain(requests, queue, () -> storeClosed.set(true), quietMillis);
    }

    @Test
    void waitsForARequestInProgressAndTheWriteItQueuesAtItsEnd() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread request = new Thread(() -> {
            requests.enter();
            entered.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                return;
            }
            queue.submit(new Write("s1")); // the change, queued at the end of the request
            requests.exit();
        });
        request.start();
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        CompletableFuture<ShutdownDrain.Outcome> drained = CompletableFuture.supplyAsync(() -> drain(50).run(10_000, null));
        // The request has not ended: the drain must still be waiting.
        assertThrows(TimeoutException.class, () -> drained.get(300, TimeUnit.MILLISECONDS));
        assertFalse(storeClosed.get());
        finish.countDown();
        ShutdownDrain.Outcome o = drained.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("s1"), written);
        assertTrue(o.quiet);
        assertEquals(1, o.written);
        assertEquals(0, o.unwritten);
        assertTrue(storeClosed.get());
    }

    @Test
    void idleReturnsAfterTheQuietPeriodAndRefusesLaterWork() {
        long t0 = System.nanoTime();
        ShutdownDrain.Outcome o = drain(100).run(10_000, null);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(o.quiet);
        assertTrue(ms >= 100 && ms < 5000, "took " + ms + " ms");
        assertFalse(queue.submit(new Write("late")));
        assertFalse(queue.submit(new Write("later")));
        assertEquals(2, queue.refused());
        assertTrue(written.isEmpty());
    }

    @Test
    void aRequestThatNeverEndsIsWaitedForUntilTheTimeoutOnly() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread stuck = new Thread(() -> {
            requests.enter();
            entered.countDown();
            try {
                release.await(); // alive, inside a request whose end is never reported
            } catch (InterruptedException ignored) {
                // ends
            }
        }, "stuck-request");
        stuck.start();
        try {
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            assertTrue(queue.submit(new Write("queued")));
            ShutdownDrain.Outcome o = drain(50).run(400, null);
            assertFalse(o.quiet);
            assertEquals(1, o.requestsLeft);
            assertEquals("stuck-request", o.threadsLeft);
            assertEquals(List.of("queued"), written, "what was queued is still written after the timeout");
            assertEquals(0, o.unwritten);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aThreadThatDiedInsideARequestIsNotWaitedFor() throws Exception {
        Thread cut = new Thread(requests::enter); // a request the server cut: its end is never reported
        cut.start();
        cut.join();
        assertEquals(1, requests.active());
        ShutdownDrain.Outcome o = drain(50).run(10_000, null);
        assertTrue(o.quiet);
        assertTrue(o.millis < 5000, o.millis + " ms");
        assertEquals(0, requests.active());
    }

    @Test
    void enterAndExitCountOncePerThread() {
        requests.enter();
        requests.enter();
        assertEquals(1, requests.active());
        requests.exit();
        requests.exit();
        assertEquals(0, requests.active());
        assertEquals(1, requests.entered());
    }
}
