package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A {@code dns:<name>:<port>} entry: a node on that port at every address the name resolves to (A and AAAA),
 * e.g. a Kubernetes headless Service's one record per ready pod. The lookup goes through the JVM's resolver
 * and its cache ({@code networkaddress.cache.ttl}; see {@link NodeDiscovery#jvmDnsCacheSeconds}).
 */
final class DnsNodes implements NodeSource {

    private final NodeAddress entry;

    DnsNodes(NodeAddress entry) {
        this.entry = entry;
    }

    @Override
    public NodeAddress entry() {
        return entry;
    }

    @Override
    public ClusterConfig lookUp() throws IOException {
        // Sorted: the resolver may rotate its answer; the same addresses are the same list.
        TreeSet<String> addresses = new TreeSet<>();
        for (InetAddress a : InetAddress.getAllByName(entry.host())) {
            addresses.add(a.getHostAddress());
        }
        List<NodeAddress> nodes = new ArrayList<>();
        for (String a : addresses) {
            nodes.add(new NodeAddress(a, entry.port()));
        }
        return new ClusterConfig(-1, nodes);
    }
}
