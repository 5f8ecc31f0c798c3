package io.sessionmirror.agent.config;

import java.util.Objects;

/** One Memcached node, {@code host:port}; the port defaults to 11211. */
public final class NodeAddress {

    public static final int DEFAULT_PORT = 11211;

    private final String host;
    private final int port;

    public NodeAddress(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; null if it is not one. */
    static NodeAddress parse(String text) {
        String s = text.trim();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 2) {
                return null;
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return null;
                }
                port = rest.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            if (colon != s.lastIndexOf(':')) {
                return null; // a bare IPv6 address must be written in brackets
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
            if (!host.matches("[A-Za-z0-9._-]+")) {
                return null;
            }
        }
        if (host.isEmpty()) {
            return null;
        }
        int p = DEFAULT_PORT;
        if (port != null) {
            if (!port.matches("[0-9]{1,5}")) {
                return null;
            }
            p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                return null;
            }
        }
        return new NodeAddress(host, p);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeAddress && ((NodeAddress) o).host.equals(host) && ((NodeAddress) o).port == port;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
