package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.IOException;
import javax.net.SocketFactory;

/** Where a {@code dns:} or {@code config:} entry of {@code nodes} finds its nodes now. */
interface NodeSource {

    /** The entry as configured, e.g. {@code dns:memcached.shop.svc:11211}. */
    NodeAddress entry();

    /** The nodes now (and the configuration version, where the source has one); fails when it cannot say. */
    ClusterConfig lookUp() throws IOException;

    /** The source of a {@code dns:} or {@code config:} entry; a config endpoint is reached through {@code sockets}. */
    static NodeSource of(NodeAddress entry, SocketFactory sockets, int timeoutMillis) {
        switch (entry.discovery()) {
            case DNS:
                return new DnsNodes(entry);
            case CONFIG:
                return new ConfigEndpoint(entry, sockets, timeoutMillis);
            default:
                throw new IllegalArgumentException(entry + " is a node, not a source of nodes");
        }
    }
}
