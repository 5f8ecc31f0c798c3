package io.sessionmirror.agent.store.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.config.TlsSettings;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.CopyOrder;
import io.sessionmirror.agent.store.PendingWrite;
import io.sessionmirror.agent.store.SessionStore;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.store.StoreListener;
import io.sessionmirror.agent.store.WriteResult;
import io.sessionmirror.agent.support.AgentLog;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * A Redis/Valkey store: one server, the master its Sentinels name, or a Redis Cluster. Unlike the Memcached
 * store it is ONE logical node: copies are the server's business (its replicas, Sentinel, Cluster), so
 * {@link #copies()} is 1, {@link #nodes()} are the addresses it was given (the server, the Sentinels or the
 * cluster's seeds), {@link #belongsTo} is true for each of them, {@link #nodesDown()} lists them all while the
 * circuit is open, and {@link #switchNodes} reconnects to other addresses of the same kind.
 * <ul>
 *   <li>Every call a request thread makes waits at most the timeout (Lettuce cancels it then too).</li>
 *   <li>Writes are conditional ({@link RedisWrite}): a GET, the {@link CopyOrder}'s decision, and a script that
 *       writes only if the key still holds what was read. They run on the client's threads: {@link #startSet}
 *       returns at once.</li>
 *   <li>Outages: the circuit breaker and probe of {@link RedisHealth}; a server that restarted or was replaced
 *       by a failover (another run id) is announced so that every session is written again.</li>
 * </ul>
 */
public final class RedisStore implements SessionStore, RedisHealth.Target {

    private static final Logger LOG = AgentLog.get();

    private final long timeoutMillis;
    private final Counters stats;
    private final CopyOrder order;
    private final String user;
    private final String password;
    private final RedisHealth health;
    /** The tls.* options, or null (then TLS only with rediss://, trusting the JDK's default store). */
    private final TlsSettings tls;
    private volatile RedisUri uri;
    private volatile RedisLink link;
    /** Whether the last failed connection attempt was logged (once per outage). */
    private boolean connectFailureLogged;

    /**
     * @param user     the ACL user (null: the default user), from the URI or the {@code username} option
     * @param password the AUTH password (null: none), from the URI or the {@code password} option
     */
    public RedisStore(RedisUri uri, long timeoutMillis, Counters stats, String user, String password, CopyOrder order) {
        this(uri, timeoutMillis, stats, user, password, order, null);
    }

    /** @param tls the tls.* options (TLS to every Redis connection), or null */
    public RedisStore(RedisUri uri, long timeoutMillis, Counters stats, String user, String password, CopyOrder order,
                      TlsSettings tls) {
        this.tls = tls;
        this.uri = uri;
        this.timeoutMillis = timeoutMillis;
        this.stats = stats;
        this.order = order;
        this.user = user;
        this.password = password;
        this.health = new RedisHealth(this, stats, uri.hosts());
        synchronized (this) {
            connect(); // a first connection now, so the first requests find one; else the probe keeps trying
        }
        health.start();
    }

    /**
     * For {@code check}: connects once (bounded by {@code timeoutMillis}) and says what answers, e.g.
     * "Redis 7.0.15, master"; or why nothing does, starting with "not reachable".
     */
    public static String check(RedisUri uri, String user, String password, long timeoutMillis, TlsSettings tls) {
        RedisLink link = null;
        try {
            link = RedisLink.open(uri, user, password, timeoutMillis, tls);
            link.warmUp();
            return link.describe();
        } catch (Exception e) {
            return "not reachable (" + RedisCalls.failure("connect", e).getMessage() + ")";
        } finally {
            if (link != null) {
                link.close(0);
            }
        }
    }

    private RedisLink connect() {
        try {
            link = RedisLink.open(uri, user, password, timeoutMillis, tls);
            link.warmUp();
            connectFailureLogged = false;
            health.refused = null;
        } catch (RuntimeException e) {
            String why = RedisCalls.failure("connect", e).getMessage();
            boolean login = why.contains("WRONGPASS") || why.contains("NOAUTH") || why.contains("NOPERM");
            health.refused = login ? why : null; // before failed(): a refused login is not reported as an outage
            if (!connectFailureLogged) {
                connectFailureLogged = true;
                LOG.warn("Redis {} {}: {}. Sessions stay on this server{}; retrying in the background.", uri,
                        login ? "refuses the login" + (user == null ? "" : " of user '" + user + "'") : "is not reachable",
                        why, login ? " until 'username'/'password' (or the URI's credentials) match an ACL user" : "");
            }
            health.failed("connect", why);
        }
        return link;
    }

    /** The connection's commands, or a failure at once (circuit open, or never connected yet). */
    private RedisClusterAsyncCommands<byte[], byte[]> commands(String op) throws StoreException {
        health.check(op);
        RedisLink l = link;
        if (l == null) {
            throw new StoreException("Redis " + uri + " is not connected yet (" + op + ")");
        }
        return l.commands;
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** A call from a request thread: bounded by the timeout, counted by the circuit breaker. */
    private <T> T call(String op, CompletableFuture<T> future, long deadline) throws StoreException {
        try {
            T answer = RedisCalls.await(future, deadline, op);
            health.answered();
            return answer;
        } catch (StoreException e) {
            health.failed(op, e.getMessage());
            throw e;
        }
    }

    @Override
    public String kind() {
        return "Redis";
    }

    @Override
    public long timeoutMillis() {
        return timeoutMillis;
    }

    @Override
    public byte[] get(String key) throws StoreException {
        long deadline = deadline();
        return call("get", commands("get").get(RedisScripts.utf8(key)).toCompletableFuture(), deadline);
    }

    @Override
    public PendingWrite startSet(String key, byte[] value, int expirySeconds) {
        return start(key, value, expirySeconds, null, false);
    }

    /** A tombstone over whatever is stored (or, with {@code onlyIf}, over a value it accepts); remembered if it fails. */
    @Override
    public PendingWrite startTombstone(String key, int expirySeconds, Predicate<byte[]> onlyIf) {
        byte[] stone = order.tombstone(expirySeconds);
        return start(key, stone, order.expiryOf(stone), onlyIf, true);
    }

    private PendingWrite start(String key, byte[] value, int expirySeconds, Predicate<byte[]> onlyIf, boolean tombstone) {
        long deadline = deadline();
        RedisWrite w;
        try {
            w = new RedisWrite(commands(tombstone ? "tombstone" : "set"), order, key, value, expirySeconds, onlyIf,
                    deadline);
        } catch (StoreException e) {
            missed(key, value, onlyIf, tombstone);
            return failedWrite(e);
        }
        // counted when it ends, awaited or not (async writes are not always awaited by a request thread)
        w.result().whenComplete((r, error) -> {
            if (error == null) {
                health.answered();
            } else {
                StoreException e = RedisCalls.failure(tombstone ? "tombstone" : "set", error);
                health.failed(tombstone ? "tombstone" : "set", e.getMessage());
                missed(key, value, onlyIf, tombstone);
            }
        });
        return w;
    }

    private void missed(String key, byte[] value, Predicate<byte[]> onlyIf, boolean tombstone) {
        if (tombstone && onlyIf == null) {
            health.missedTombstone(key, order.expiryOf(value));
        }
        // a missed copy is written again by the core: its session stays "unwritten" until a write succeeds
    }

    private static PendingWrite failedWrite(StoreException e) {
        return new PendingWrite() {
            @Override
            public void advance() {
            }

            @Override
            public WriteResult await() throws StoreException {
                throw e;
            }
        };
    }

    @Override
    public boolean touch(String key, int expirySeconds) throws StoreException {
        long deadline = deadline();
        return script("touch", RedisScripts.TOUCH, key, deadline, RedisScripts.millis(expirySeconds));
    }

    @Override
    public boolean tryLock(String key, String token, int ttlSeconds) throws StoreException {
        long deadline = deadline();
        return script("lock", RedisScripts.LOCK, key, deadline, RedisScripts.utf8(token), RedisScripts.millis(ttlSeconds));
    }

    @Override
    public boolean renewLock(String key, String token, int ttlSeconds) throws StoreException {
        long deadline = deadline();
        return script("renew lock", RedisScripts.RENEW, key, deadline, RedisScripts.utf8(token),
                RedisScripts.millis(ttlSeconds));
    }

    @Override
    public boolean unlock(String key, String token) throws StoreException {
        long deadline = deadline();
        return script("unlock", RedisScripts.UNLOCK, key, deadline, RedisScripts.utf8(token));
    }

    private boolean script(String op, String script, String key, long deadline, byte[]... args) throws StoreException {
        byte[][] keys = {RedisScripts.utf8(key)};
        Long answer = call(op, RedisScripts.<Long>run(commands(op), script, ScriptOutputType.INTEGER, keys, args),
                deadline);
        return answer != null && answer == 1L;
    }

    /**
     * There is no other copy to take the key from: true when the store holds it. But while the listeners are
     * told that the server changed (restarted, or a failover to a replica that may have missed the last
     * writes), false: what it holds may be older than the caller's own copy, which the caller then writes
     * (conditionally: the newer one wins).
     */
    @Override
    public boolean repairKey(String key) {
        if (health.announcingChange == Thread.currentThread()) {
            return false;
        }
        try {
            return get(key) != null;
        } catch (StoreException e) {
            return true; // nothing answered: nothing to conclude
        }
    }

    /** Repairs run inline (there are no replicas of ours to repair): none is ever pending. */
    @Override
    public int repairsPending() {
        return 0;
    }

    @Override
    public boolean belongsTo(String key, NodeAddress node) {
        return uri.hosts().contains(node);
    }

    @Override
    public void addListener(StoreListener listener) {
        health.addListener(listener);
    }

    @Override
    public int copies() {
        return 1;
    }

    @Override
    public List<NodeAddress> nodes() {
        return uri.hosts();
    }

    @Override
    public List<NodeAddress> nodesDown() {
        return health.open || link == null ? uri.hosts() : Collections.emptyList();
    }

    /** Reconnects to other addresses of the same kind; every session is then written there again. */
    @Override
    public synchronized void switchNodes(List<NodeAddress> nodes) {
        RedisLink old = link;
        uri = uri.withHosts(nodes);
        health.addresses = uri.hosts();
        link = null;
        connect();
        if (old != null) {
            old.close(0);
        }
        new Thread(() -> health.announce(true), "session-mirror-redis-switch") {
            {
                setDaemon(true);
            }
        }.start();
    }

    /** Probe rounds done: a test that restarts the server first waits for one, so the restart is noticed. */
    public long probeRounds() {
        return health.rounds();
    }

    // ---------------------------------------------------------------- RedisHealth.Target

    @Override
    public String incarnation() throws Exception {
        RedisLink l;
        synchronized (this) {
            l = link == null ? connect() : link;
        }
        if (l == null) {
            throw new StoreException("not connected");
        }
        try {
            return l.incarnation();
        } catch (RedisLink.ReplicaException e) {
            if (uri.kind() == RedisUri.Kind.SENTINEL) {
                reconnect(l); // the Sentinels name another master now: ask them again
            }
            throw e;
        }
    }

    /** Drops {@code stale} and connects again (Sentinel: to the master they name now). */
    private synchronized void reconnect(RedisLink stale) {
        if (link == stale) {
            LOG.info("Redis {}: the server we spoke to is no longer the master (a failover); asking the Sentinels"
                    + " for the master", uri);
            link = null;
            stale.close(0);
            connect();
        }
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public void replayTombstone(String key, int seconds) throws StoreException {
        byte[] stone = order.tombstone(seconds);
        RedisLink l = link;
        if (l == null) {
            throw new StoreException("not connected");
        }
        long deadline = deadline();
        RedisCalls.await(new RedisWrite(l.commands, order, key, stone, order.expiryOf(stone), null, deadline).result(),
                deadline, "tombstone");
    }

    @Override
    public void close() {
        health.close();
        RedisLink l = link;
        if (l != null) {
            l.close(1000);
        }
    }
}
