package io.sessionmirror.agent.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;

/**
 * Session locks in Memcached. A lock is one key on the lock key's first node that is up, holding its
 * holder's token. Text-protocol delete cannot compare (and the binary protocol is used only with SASL), so a
 * lock is never deleted: every change that must only happen while the holder still owns it is a gets + cas
 * on the value it read. Release swaps the token for {@link #FREE_LOCK}, a short-lived marker that matches no
 * token; acquire is an add, or, when the key holds {@code FREE_LOCK}, a cas over it. A lock that expired and
 * was taken by another holder meanwhile has another token or another cas id: our release or renewal then
 * changes nothing.
 */
final class MemcachedLocks {

    /** What a released lock holds until it expires: not a token, so no holder's compare matches it. */
    private static final byte[] FREE_LOCK = {'-'};
    private static final int FREE_LOCK_SECONDS = 5;
    /** Compare-and-swaps retried when the value was still ours but changed cas id (our renewal met our release). */
    private static final int LOCK_SWAP_ATTEMPTS = 3;

    private final Cluster cluster;

    MemcachedLocks(Cluster cluster) {
        this.cluster = cluster;
    }

    /** See {@link SessionStore#tryLock}: also true when an earlier attempt stored it but answered too late. */
    boolean tryLock(String key, String token, int ttlSeconds) throws StoreException {
        Node n = first(key);
        byte[] mine = ascii(token);
        int exp = Cluster.expiry(ttlSeconds);
        if (Boolean.TRUE.equals(n.call(c -> c.add(key, exp, mine, RawBytes.INSTANCE), "add"))) {
            return true;
        }
        CASValue<byte[]> current = n.call(c -> c.asyncGets(key, RawBytes.INSTANCE), "gets");
        if (current == null) {
            return false; // released and expired just now: the caller's next attempt adds it
        }
        if (Arrays.equals(current.getValue(), mine)) {
            return true;
        }
        return Arrays.equals(current.getValue(), FREE_LOCK)
                && n.call(c -> c.asyncCAS(key, current.getCas(), exp, mine, RawBytes.INSTANCE), "cas") == CASResponse.OK;
    }

    boolean renewLock(String key, String token, int ttlSeconds) throws StoreException {
        byte[] mine = ascii(token);
        return swap(key, mine, mine, ttlSeconds);
    }

    boolean unlock(String key, String token) throws StoreException {
        return swap(key, ascii(token), FREE_LOCK, FREE_LOCK_SECONDS);
    }

    private boolean swap(String key, byte[] expected, byte[] value, int ttlSeconds) throws StoreException {
        Node n = first(key);
        for (int attempt = 0; attempt < LOCK_SWAP_ATTEMPTS; attempt++) {
            CASValue<byte[]> current = n.call(c -> c.asyncGets(key, RawBytes.INSTANCE), "gets");
            if (current == null || !Arrays.equals(current.getValue(), expected)) {
                return false;
            }
            CASResponse r = n.call(c -> c.asyncCAS(key, current.getCas(), Cluster.expiry(ttlSeconds), value,
                    RawBytes.INSTANCE), "cas");
            if (r == CASResponse.OK) {
                return true;
            }
            if (r != CASResponse.EXISTS) {
                return false; // expired between the gets and the cas
            }
        }
        return false;
    }

    private Node first(String key) throws StoreException {
        List<Node> l = Cluster.live(cluster.ring.preference(key), 1);
        if (l.isEmpty()) {
            throw cluster.noAnswer(null);
        }
        return l.get(0);
    }

    private static byte[] ascii(String token) {
        return token.getBytes(StandardCharsets.US_ASCII);
    }
}
