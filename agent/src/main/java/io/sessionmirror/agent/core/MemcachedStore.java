package io.sessionmirror.agent.core;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.spy.memcached.CachedData;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.transcoders.Transcoder;
import org.slf4j.Logger;

/**
 * Memcached access with a hard time bound on every call. Built on spymemcached, configured so that a
 * node that is down fails operations at once (instead of queueing them) and is reconnected in the
 * background: Memcached being away never stalls a caller longer than {@code timeout}.
 */
public final class MemcachedStore implements AutoCloseable {

    /** Memcached treats expiry times above 30 days as absolute Unix times. */
    static final int MAX_RELATIVE_EXPIRY = 30 * 24 * 3600;

    private static final Logger LOG = AgentLog.get();

    private volatile List<NodeAddress> nodes;
    private final long timeoutMillis;
    private volatile MemcachedClient client;
    private volatile boolean closed;
    private volatile long nextConnectAttempt;
    private volatile boolean reportedDown;

    public MemcachedStore(List<NodeAddress> nodes, long timeoutMillis) {
        this.nodes = nodes;
        this.timeoutMillis = timeoutMillis;
        connect();
    }

    /** Creating the client only fails for addresses that do not resolve; it is retried on use. */
    private synchronized MemcachedClient connect() {
        if (client != null || closed) {
            return client;
        }
        long now = System.currentTimeMillis();
        if (now < nextConnectAttempt) {
            return null;
        }
        nextConnectAttempt = now + 5000;
        try {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (NodeAddress n : nodes) {
                InetSocketAddress a = new InetSocketAddress(n.host(), n.port());
                if (a.isUnresolved()) {
                    throw new IOException("cannot resolve Memcached host '" + n.host() + "'");
                }
                addresses.add(a);
            }
            ConnectionFactoryBuilder b = new ConnectionFactoryBuilder()
                    .setProtocol(ConnectionFactoryBuilder.Protocol.TEXT)
                    .setDaemon(true)
                    .setOpTimeout(timeoutMillis)
                    .setOpQueueMaxBlockTime(timeoutMillis)
                    .setFailureMode(FailureMode.Cancel)
                    .setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
                    .setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
                    .setMaxReconnectDelay(5);
            client = new MemcachedClient(b.build(), addresses);
            return client;
        } catch (IOException | RuntimeException e) {
            if (!reportedDown) {
                reportedDown = true;
                LOG.warn("Memcached {} is not reachable ({}); sessions stay local until it is, retrying in the background",
                        nodes, e.getMessage());
            }
            return null;
        }
    }

    /**
     * Moves to another node list (a second attach with new {@code nodes}): new operations go to a new
     * client at once; the old one finishes what it has in flight and is shut down in the background.
     */
    public synchronized void switchNodes(List<NodeAddress> newNodes) {
        MemcachedClient old = client;
        nodes = newNodes;
        client = null;
        nextConnectAttempt = 0;
        reportedDown = false;
        connect();
        if (old != null) {
            Thread t = new Thread(() -> old.shutdown(timeoutMillis * 2, TimeUnit.MILLISECONDS), "session-mirror-old-client");
            t.setDaemon(true);
            t.start();
        }
    }

    public List<NodeAddress> nodes() {
        return nodes;
    }

    private MemcachedClient client() throws StoreException {
        MemcachedClient c = client;
        if (c == null) {
            c = connect();
            if (c == null) {
                throw new StoreException("no connection to Memcached " + nodes);
            }
        }
        return c;
    }

    /** The stored bytes, or null when the key is absent. */
    public byte[] get(String key) throws StoreException {
        return await(client().asyncGet(key, RawBytes.INSTANCE), "get");
    }

    public void set(String key, byte[] value, int expirySeconds) throws StoreException {
        Boolean ok = await(client().set(key, expiry(expirySeconds), value, RawBytes.INSTANCE), "set");
        if (!Boolean.TRUE.equals(ok)) {
            throw new StoreException("Memcached refused to store " + value.length + " bytes");
        }
    }

    /** Returns false when the key is absent. */
    public boolean touch(String key, int expirySeconds) throws StoreException {
        return Boolean.TRUE.equals(await(client().touch(key, expiry(expirySeconds)), "touch"));
    }

    /** Returns false when the key was absent. */
    public boolean delete(String key) throws StoreException {
        return Boolean.TRUE.equals(await(client().delete(key), "delete"));
    }

    static int expiry(int seconds) {
        if (seconds <= 0) {
            return 0;
        }
        if (seconds <= MAX_RELATIVE_EXPIRY) {
            return seconds;
        }
        return (int) Math.min(Integer.MAX_VALUE, System.currentTimeMillis() / 1000 + seconds);
    }

    private <T> T await(Future<T> f, String op) throws StoreException {
        try {
            T v = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            reportedDown = false;
            return v;
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new StoreException(op + " timed out after " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new StoreException(op + " interrupted");
        } catch (ExecutionException | RuntimeException e) {
            Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new StoreException(op + " failed: " + c.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        MemcachedClient c = client;
        if (c != null) {
            c.shutdown(1, TimeUnit.SECONDS);
        }
    }

    /** A Memcached call that failed or timed out. */
    public static final class StoreException extends Exception {
        private static final long serialVersionUID = 1L;

        public StoreException(String message) {
            super(message, null, false, false);
        }
    }

    /** Stores our payloads as they are: no Java serialization, no compression, flags 0. */
    static final class RawBytes implements Transcoder<byte[]> {
        static final RawBytes INSTANCE = new RawBytes();

        @Override
        public boolean asyncDecode(CachedData d) {
            return false;
        }

        @Override
        public CachedData encode(byte[] o) {
            return new CachedData(0, o, getMaxSize());
        }

        @Override
        public byte[] decode(CachedData d) {
            return d.getData();
        }

        @Override
        public int getMaxSize() {
            return CachedData.MAX_SIZE;
        }
    }
}
