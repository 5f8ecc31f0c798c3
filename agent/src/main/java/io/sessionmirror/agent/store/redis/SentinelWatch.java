package io.sessionmirror.agent.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Which master the Sentinels name, asked at every probe: when an operator's {@code SENTINEL FAILOVER} promotes a
 * replica, the old master stays up and keeps taking our writes until the Sentinels demote it (about ten seconds
 * later), and those writes are then thrown away. Seeing the Sentinels' answer change lets the store reconnect to
 * the new master within one probe round. A change of the answer is what counts, not a comparison with the
 * address we connected to: behind NAT or with announced host names the two may never match.
 */
final class SentinelWatch {

    private final StatefulRedisSentinelConnection<String, String> sentinel;
    private final String master;
    private final long timeoutMillis;
    private final SocketAddress atConnect;

    private SentinelWatch(StatefulRedisSentinelConnection<String, String> sentinel, String master, long timeoutMillis,
                          SocketAddress atConnect) {
        this.sentinel = sentinel;
        this.master = master;
        this.timeoutMillis = timeoutMillis;
        this.atConnect = atConnect;
    }

    /** Watches what the client's Sentinels name as {@code master}; null when no Sentinel answers now. */
    static SentinelWatch open(RedisClient client, String master, long timeoutMillis) {
        StatefulRedisSentinelConnection<String, String> c = null;
        try {
            c = client.connectSentinel();
            SocketAddress now = c.async().getMasterAddrByName(master).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return new SentinelWatch(c, master, timeoutMillis, now);
        } catch (Exception e) {
            if (c != null) {
                c.closeAsync();
            }
            return null; // the store still follows failovers, only later (when the old master is demoted)
        }
    }

    /** Whether the Sentinels name another master than when we connected; false when they do not answer. */
    boolean masterMoved() {
        try {
            SocketAddress now = sentinel.async().getMasterAddrByName(master).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return now != null && atConnect != null && !now.equals(atConnect);
        } catch (Exception e) {
            return false;
        }
    }

    void close() {
        sentinel.closeAsync();
    }
}
