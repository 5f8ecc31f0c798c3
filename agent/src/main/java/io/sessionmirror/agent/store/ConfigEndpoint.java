package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.SocketFactory;

/**
 * A {@code config:<host>:<port>} entry: an ElastiCache (node-based) or Memorystore for Memcached discovery
 * endpoint, asked {@code config get cluster} over a new connection each time, the whole exchange bounded by
 * the store's timeout. An engine before 1.4.14 answers {@code ERROR} to that; it is then asked
 * {@code get AmazonElastiCache:cluster}, and only that from then on.
 */
final class ConfigEndpoint implements NodeSource {

    private static final byte[] CONFIG_GET = "config get cluster\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LEGACY_GET = "get AmazonElastiCache:cluster\r\n".getBytes(StandardCharsets.US_ASCII);

    private final NodeAddress entry;
    private final SocketFactory sockets;
    private final int timeoutMillis;
    private volatile boolean legacy;

    ConfigEndpoint(NodeAddress entry, SocketFactory sockets, int timeoutMillis) {
        this.entry = entry;
        this.sockets = sockets;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public NodeAddress entry() {
        return entry;
    }

    @Override
    public ClusterConfig lookUp() throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Socket s = sockets.createSocket()) {
            s.connect(new InetSocketAddress(entry.host(), entry.port()), timeoutMillis);
            InputStream in = new BufferedInputStream(new Bounded(s, deadline));
            OutputStream out = s.getOutputStream();
            if (!legacy) {
                out.write(CONFIG_GET);
                out.flush();
                ClusterConfig c = ClusterConfig.read(in);
                if (c != null) {
                    return c;
                }
                legacy = true;
            }
            out.write(LEGACY_GET);
            out.flush();
            ClusterConfig c = ClusterConfig.read(in);
            if (c == null) {
                legacy = false; // maybe upgraded meanwhile: ask the current way next time
                throw new IOException("the endpoint knows neither 'config get cluster' nor 'get AmazonElastiCache:cluster'");
            }
            return c;
        } catch (SocketTimeoutException e) {
            throw new IOException("no complete answer within " + timeoutMillis + " ms", e);
        }
    }

    /** The socket's input, each read waiting only for what is left of the exchange's time. */
    private static final class Bounded extends FilterInputStream {
        private final Socket socket;
        private final long deadline;

        Bounded(Socket socket, long deadline) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            return super.read(b, off, len);
        }
    }
}
