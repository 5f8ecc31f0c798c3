package io.sessionmirror.agent.config;

/** Where the Prometheus endpoint listens: a port, on one host name or address or (host null) on every interface. */
public final class ListenAddress {

    private final String host;
    private final int port;

    public ListenAddress(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** The host name or address to bind, or null for every interface. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** "host:port", or "*:port" for every interface. */
    @Override
    public String toString() {
        return (host == null ? "*" : host) + ":" + port;
    }
}
