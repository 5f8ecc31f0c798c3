package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.SocketFactory;

/**
 * Lists the keys one Memcached node holds with {@code lru_crawler metadump all} (memcached 1.4.31 and later, LRU
 * crawler enabled, the default since 1.5). A best-effort walk: items held by a get or set in flight at that moment
 * are passed over, and a proxy (twemproxy, mcrouter, ElastiCache Serverless) does not pass the command on.
 */
final class MemcachedKeyDump {

    /** How often a node that is busy with another dump is asked again, and how long apart. */
    private static final int BUSY_RETRIES = 20;
    private static final long BUSY_PAUSE_MILLIS = 250;

    private MemcachedKeyDump() {
    }

    /**
     * Adds to {@code found} (up to {@code limit} in all) the session keys under {@code prefix} that {@code node}
     * holds, and returns how many it listed; fails with the node's own answer when it refuses the command.
     */
    static int dump(NodeAddress node, SocketFactory sockets, int timeoutMillis, String prefix, int limit,
                    java.util.Set<String> found) throws IOException {
        for (int attempt = 0; ; attempt++) {
            int n = dumpOnce(node, sockets, timeoutMillis, prefix, limit, found);
            if (n >= 0) {
                return n;
            }
            if (attempt == BUSY_RETRIES) {
                throw new IOException("the LRU crawler stayed busy with another request");
            }
            try {
                Thread.sleep(BUSY_PAUSE_MILLIS); // the crawler finishes another client's walk; nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    /** One walk; -1 when the crawler is busy. */
    private static int dumpOnce(NodeAddress node, SocketFactory sockets, int timeoutMillis, String prefix, int limit,
                                java.util.Set<String> found) throws IOException {
        int listed = 0;
        try (Socket s = sockets.createSocket()) {
            s.connect(new InetSocketAddress(node.host(), node.port()), timeoutMillis);
            s.setSoTimeout(Math.max(timeoutMillis, 5000)); // a large cache streams for a while between lines
            OutputStream out = s.getOutputStream();
            out.write("lru_crawler metadump all\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            for (String line = line(in); !line.equals("END"); line = line(in)) {
                if (line.startsWith("BUSY")) {
                    return -1;
                }
                if (line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR") || line.startsWith("SERVER_ERROR")) {
                    throw new IOException("the node answers '" + line + "' (lru_crawler metadump needs memcached"
                            + " 1.4.31 or later with the LRU crawler enabled, reached directly, not through a proxy)");
                }
                if (!line.startsWith("key=")) {
                    continue;
                }
                int end = line.indexOf(' ');
                String key = decode(line.substring(4, end < 0 ? line.length() : end));
                if (isSessionKey(key, prefix)) {
                    listed++;
                    if (found.size() < limit) {
                        found.add(key);
                    }
                }
            }
        }
        return listed;
    }

    /**
     * A session's key in the namespace: the prefix and an encoded id, which never contains {@code :} (so the
     * session's lock, {@code <key>:lock}, is not one).
     */
    static boolean isSessionKey(String key, String prefix) {
        return key.startsWith(prefix) && key.length() > prefix.length() && key.indexOf(':', prefix.length()) < 0;
    }

    /** The dump percent-encodes every key byte outside [A-Za-z0-9-._~]. */
    static String decode(String encoded) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                b.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("the node closed the connection during the dump");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** The nodes as a list of names, for the output. */
    static String names(List<NodeAddress> nodes) {
        StringBuilder b = new StringBuilder();
        for (NodeAddress n : nodes) {
            b.append(b.length() == 0 ? "" : ", ").append(n);
        }
        return b.toString();
    }
}
