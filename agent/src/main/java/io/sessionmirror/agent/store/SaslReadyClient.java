package io.sessionmirror.agent.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionObserver;
import net.spy.memcached.MemcachedClient;

/**
 * The ElastiCache cluster client (1.2.0) as a plain MemcachedClient, with SASL that works: its constructor
 * registers the client as the observer that starts each SASL login before it has made its connection, and so
 * fails with a NullPointerException whenever an AuthDescriptor is set. Here that registration waits until the
 * connection exists. Without SASL nothing differs.
 */
public final class SaslReadyClient extends MemcachedClient {

    /** Set by the superclass constructor, so no initializer: one would reset it after {@code super(...)}. */
    private ConnectionObserver deferred;

    public SaslReadyClient(ConnectionFactory factory, List<InetSocketAddress> addresses) throws IOException {
        super(factory, addresses);
        if (deferred != null) {
            // Also logs in to a node that connected meanwhile: addObserver tells it of every active node.
            super.addObserver(deferred);
        }
    }

    @Override
    public boolean addObserver(ConnectionObserver observer) {
        if (mconn == null) {
            deferred = observer;
            return true;
        }
        return super.addObserver(observer);
    }
}
