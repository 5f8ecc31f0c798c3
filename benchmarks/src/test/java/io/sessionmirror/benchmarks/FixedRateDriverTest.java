package io.sessionmirror.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The fixed-rate driver against a tiny HTTP server that stalls one connection once: the requests that fell due on
 * it during the stall count the wait (no coordinated omission), every request due is sent, and the schedule is
 * kept. The stall is measured in requests, not time: it lasts until the other connection has been served
 * {@value #STALL_REQUESTS} more requests (about 600 ms at its 100 requests/s).
 */
class FixedRateDriverTest {

    private static final int STALL_REQUESTS = 60;
    /** The least the stall lasts on the driver's schedule: 60 requests of the other connection at 100/s, with margin. */
    private static final long STALL_MILLIS = 300;

    @Test
    void requestsDueDuringAStallCountTheirWait() throws Exception {
        AtomicInteger served = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serve(server, served), "stalling-server");
            t.setDaemon(true);
            t.start();
            // 200 requests/s for 1 s over two connections (100/s each); the server holds the 6th answer of the first
            // connection (after its unmeasured first request) until it has answered 60 more on the other one: about
            // 60 requests of the first connection fall due meanwhile.
            FixedRateDriver.Result r = FixedRateDriver.run(server.getLocalPort(), "/x", List.of("a", "b"), 200, 2, 1.0);
            assertEquals(200, r.requests, "every request due was sent");
            assertEquals(0, r.errors);
            long waited = Arrays.stream(r.latencyNanos).filter(n -> n > 100_000_000L).count();
            // Measured from the send, only the stalled request would be over 100 ms.
            assertTrue(waited >= 30, "requests that waited for the stall: " + waited);
            assertTrue(r.percentileMillis(0.99) >= STALL_MILLIS * 0.8, "p99 " + r.percentileMillis(0.99));
            assertTrue(r.percentileMillis(0.5) < 100, "most requests were on time: p50 " + r.percentileMillis(0.5));
            assertTrue(r.elapsedSeconds >= 0.99 && r.elapsedSeconds < 10, "elapsed " + r.elapsedSeconds);
        }
    }

    /**
     * Answers every request on every connection with "ok"; the first connection's 6th answer waits until the other
     * connection has been answered {@link #STALL_REQUESTS} times since (at most 10 s, should the driver stop).
     */
    private static void serve(ServerSocket server, AtomicInteger served) {
        CountDownLatch otherConnection = new CountDownLatch(STALL_REQUESTS);
        AtomicBoolean stalling = new AtomicBoolean();
        try {
            for (int index = 0;; index++) {
                Socket s = server.accept();
                boolean stalled = index == 0;
                Thread c = new Thread(() -> {
                    int mine = 0;
                    try (Socket socket = s) {
                        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                                StandardCharsets.ISO_8859_1));
                        OutputStream out = socket.getOutputStream();
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            if (!line.isEmpty()) {
                                continue; // the request line and headers
                            }
                            served.incrementAndGet();
                            if (stalled && ++mine == 6) {
                                stalling.set(true);
                                otherConnection.await(10, TimeUnit.SECONDS); // the slow answer under test
                            } else if (!stalled && stalling.get()) {
                                otherConnection.countDown();
                            }
                            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                        }
                    } catch (Exception closed) {
                        // the driver closed the connection
                    }
                });
                c.setDaemon(true);
                c.start();
            }
        } catch (Exception closed) {
            // the test closed the server
        }
    }
}
