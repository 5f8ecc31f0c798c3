package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What listens at a node address, asked over the plain text protocol on sockets of its own: a memcached (it
 * answers {@code stats}), or a proxy such as twemproxy (it passes {@code version} on to a server but does not
 * pass {@code stats}, and closes the connection that asked). Asked on its own sockets because a proxy closes
 * the connection on an unsupported command: on the store's own connection that would cancel every request in
 * flight on it.
 */
public final class TextProtocolProbe {

    /** What answered. */
    public enum Kind {
        /** Answers {@code stats}: its process id and start time tell a restart. */
        MEMCACHED,
        /** Answers {@code version} but not {@code stats}: a proxy; a restart behind it cannot be told. */
        PROXY,
        /** Accepts connections but answers neither over plain text (TLS, SASL only): asked as before. */
        OTHER,
        /** Refuses or does not accept connections: nothing to conclude yet. */
        UNREACHABLE
    }

    private TextProtocolProbe() {
    }

    public static Kind classify(NodeAddress node, int timeoutMillis) {
        String stats;
        try {
            stats = firstLine(node, "stats", timeoutMillis);
        } catch (IOException notReachable) {
            return Kind.UNREACHABLE;
        }
        if (stats.startsWith("STAT ")) {
            return Kind.MEMCACHED;
        }
        try {
            return firstLine(node, "version", timeoutMillis).startsWith("VERSION ") ? Kind.PROXY : Kind.OTHER;
        } catch (IOException notReachable) {
            return Kind.UNREACHABLE;
        }
    }

    /**
     * The first line answered to {@code command} on a new connection; "" when the other end closes or does not
     * answer in time. Throws only when it cannot connect.
     */
    private static String firstLine(NodeAddress node, String command, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(node.host(), node.port()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            StringBuilder line = new StringBuilder();
            try {
                s.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                int c;
                while ((c = in.read()) >= 0 && c != '\n' && line.length() < 200) {
                    if (c != '\r') {
                        line.append((char) c);
                    }
                }
            } catch (IOException closedOrSilent) {
                return "";
            }
            return line.toString();
        }
    }
}
