package io.sessionmirror.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * A TCP proxy in front of one memcached that reads the text protocol the agent sends and can hold back one chosen
 * command (until {@link #release}): a test then changes memcached between the agent's read and its write, the
 * interleaving a race would produce only by luck. Everything else passes through as is.
 */
final class HoldingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final Memcached target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile BiPredicate<String, byte[]> hold;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private volatile CountDownLatch released = new CountDownLatch(1);
    private volatile String heldCommand;

    HoldingProxy(Memcached target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        daemon(this::accept, "proxy-accept");
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Holds back the next command (its line and data block, if any) that {@code which} matches. */
    void holdNext(BiPredicate<String, byte[]> which) {
        held = new CountDownLatch(1);
        released = new CountDownLatch(1);
        hold = which;
    }

    /** Waits until a command is held; returns its line. */
    String awaitHeld(long seconds) throws InterruptedException {
        if (!held.await(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("no matching command within " + seconds + " s");
        }
        return heldCommand;
    }

    /** Lets the held command go on to memcached. */
    void release() {
        released.countDown();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket("127.0.0.1", target.port());
                sockets.add(client);
                sockets.add(upstream);
                daemon(() -> commands(client, upstream), "proxy-up");
                daemon(() -> pipe(upstream, client), "proxy-down");
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Client to memcached, one command at a time: a command line, and a data block for storage commands. */
    private void commands(Socket client, Socket upstream) {
        try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
            while (true) {
                String line = line(in);
                if (line == null) {
                    return;
                }
                String[] parts = line.split(" ");
                byte[] data = null;
                if (parts.length >= 5 && List.of("set", "add", "replace", "append", "prepend", "cas").contains(parts[0])) {
                    data = in.readNBytes(Integer.parseInt(parts[4]) + 2); // with its \r\n
                }
                BiPredicate<String, byte[]> h = hold;
                byte[] value = data == null ? null : java.util.Arrays.copyOf(data, data.length - 2);
                if (h != null && h.test(line, value)) {
                    hold = null;
                    heldCommand = line;
                    held.countDown();
                    released.await();
                }
                out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (data != null) {
                    out.write(data);
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // connection closed
        }
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // connection closed
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        released.countDown();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
