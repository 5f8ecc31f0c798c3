package io.sessionmirror.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for an ElastiCache / Memorystore discovery endpoint: answers {@code config get cluster} (and, in
 * legacy mode, only {@code get AmazonElastiCache:cluster}, answering {@code ERROR} to the other as engines
 * before 1.4.14 do) with a node list the test sets; each change is a new configuration version. The nodes
 * themselves are real memcached processes.
 */
final class ClusterConfigServer implements AutoCloseable {

    private final ServerSocket socket;
    private final boolean legacy;
    private final AtomicLong answers = new AtomicLong();
    private volatile String value;
    private long version;

    ClusterConfigServer(boolean legacy) throws IOException {
        this.legacy = legacy;
        this.socket = new ServerSocket(Memcached.freePort(), 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::serve, "cluster-config-server");
        t.setDaemon(true);
        t.start();
    }

    /** The endpoint, as in {@code nodes=config:<this>}. */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** The nodes the next answers list, each {@code host|ip|port} built from a memcached; a new version. */
    synchronized void list(List<Memcached> nodes) {
        List<String> entries = new ArrayList<>();
        for (Memcached m : nodes) {
            entries.add("|127.0.0.1|" + m.port()); // no host name: the agent names the node 127.0.0.1:<port>, as the test does
        }
        value = ++version + "\n" + String.join(" ", entries) + "\n";
    }

    /** Answers given so far: wait for one more to know a change was read. */
    long answers() {
        return answers.get();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (String command = line(in); command != null; command = line(in)) {
                    out.write(answer(command).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away, or the server is closed
            }
        }
    }

    private String answer(String command) {
        String v = value;
        String header;
        if (command.equals("config get cluster") && !legacy) {
            header = "CONFIG cluster 0 ";
        } else if (command.equals("get AmazonElastiCache:cluster") && legacy) {
            header = "VALUE AmazonElastiCache:cluster 0 ";
        } else {
            return "ERROR\r\n";
        }
        answers.incrementAndGet();
        return v == null ? "END\r\n" : header + v.length() + "\r\n" + v + "\r\nEND\r\n";
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
