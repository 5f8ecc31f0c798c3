package io.sessionmirror.agent.config;

import java.util.Objects;

/**
 * One entry of {@code nodes}: a Memcached node {@code host:port} (the port defaults to 11211), or a source of
 * nodes that is looked up again and again: {@code dns:<name>:<port>} (every address the name resolves to) or
 * {@code config:<host>:<port>} (an auto discovery endpoint, asked {@code config get cluster}). The store only
 * ever speaks to plain addresses; the discovery turns the other two into plain addresses.
 */
public final class NodeAddress {

    public static final int DEFAULT_PORT = 11211;

    /** What an entry of {@code nodes} is: a node, or where to look nodes up. */
    public enum Discovery {
        /** A Memcached node. */
        NONE(""),
        /** Every A/AAAA record of a name, re-resolved every {@code discovery.interval}. */
        DNS("dns:"),
        /** An ElastiCache / Memorystore configuration endpoint, asked every {@code discovery.interval}. */
        CONFIG("config:");

        final String scheme;

        Discovery(String scheme) {
            this.scheme = scheme;
        }
    }

    private final Discovery discovery;
    private final String host;
    private final int port;

    public NodeAddress(String host, int port) {
        this(Discovery.NONE, host, port);
    }

    public NodeAddress(Discovery discovery, String host, int port) {
        this.discovery = discovery;
        this.host = host;
        this.port = port;
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}, each optionally after
     * {@code dns:} or {@code config:}; null if it is not one.
     */
    static NodeAddress parse(String text) {
        String s = text.trim();
        for (Discovery d : new Discovery[] {Discovery.DNS, Discovery.CONFIG}) {
            if (s.regionMatches(true, 0, d.scheme, 0, d.scheme.length())) {
                NodeAddress a = parse(s.substring(d.scheme.length()));
                return a == null || a.discovery != Discovery.NONE ? null : new NodeAddress(d, a.host, a.port);
            }
        }
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

    /** {@link Discovery#NONE} for a node, else how the entry is looked up. */
    public Discovery discovery() {
        return discovery;
    }

    public boolean isDiscovered() {
        return discovery != Discovery.NONE;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeAddress && ((NodeAddress) o).host.equals(host) && ((NodeAddress) o).port == port
                && ((NodeAddress) o).discovery == discovery;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, discovery);
    }

    @Override
    public String toString() {
        return discovery.scheme + (host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port);
    }
}
