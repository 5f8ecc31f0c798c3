package io.sessionmirror.agent.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.sessionmirror.agent.config.TlsSettings;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.tracing.Tracing;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.RedisUri;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One connection to a Redis/Valkey store through Lettuce: a server, the master the Sentinels name (found again
 * through them at every reconnect, so a failover is followed), or a cluster (its topology refreshed on
 * MOVED/ASK and periodically). Lettuce runs on its own few daemon threads named {@code session-mirror-redis-*},
 * reconnects by itself, and rejects a command at once while disconnected (no queue that grows during an
 * outage); every command is cancelled after the store's timeout.
 */
final class RedisLink {

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final StatefulRedisClusterConnection<byte[], byte[]> clusterConnection;
    final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final long timeoutMillis;
    /** With Sentinel: whether they name another master now (an operator's failover); null otherwise. */
    private volatile SentinelWatch sentinelWatch;

    private RedisLink(long timeoutMillis, ClientResources resources, RedisClient client, StatefulRedisConnection<byte[], byte[]> connection,
                      RedisClusterClient clusterClient, StatefulRedisClusterConnection<byte[], byte[]> clusterConnection) {
        this.timeoutMillis = timeoutMillis;
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.clusterClient = clusterClient;
        this.clusterConnection = clusterConnection;
        this.commands = connection != null ? connection.async() : clusterConnection.async();
    }

    /** Connects (blocking, bounded by the timeout); fails with the client's message when nothing answers. */
    static RedisLink open(RedisUri uri, String user, String password, long timeoutMillis, TlsSettings tls) {
        Duration timeout = Duration.ofMillis(timeoutMillis);
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2) // its minimum; a smaller value is raised with a log line
                // daemon threads with a name of ours: a server JVM still exits when its own threads end
                .threadFactoryProvider(pool -> new DefaultThreadFactory("session-mirror-redis-" + pool, true))
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .tracing(Tracing.disabled())
                // the JDK's resolver, as the Memcached client: hosts file, system DNS, the JVM's DNS cache settings
                .addressResolverGroup(DefaultAddressResolverGroup.INSTANCE)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
        SslOptions ssl = sslOptions(tls);
        try {
            if (uri.kind() == RedisUri.Kind.CLUSTER) {
                List<RedisURI> seeds = new ArrayList<>();
                for (NodeAddress a : uri.hosts()) {
                    seeds.add(redisUri(RedisURI.builder().withHost(a.host()).withPort(a.port()), uri, user, password, timeout,
                            tls));
                }
                RedisClusterClient c = RedisClusterClient.create(resources, seeds);
                c.setOptions(ClusterClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .protocolVersion(ProtocolVersion.RESP2)
                        .socketOptions(socket)
                        .sslOptions(ssl)
                        .timeoutOptions(TimeoutOptions.enabled(timeout))
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enableAllAdaptiveRefreshTriggers()
                                .enablePeriodicRefresh(Duration.ofSeconds(30))
                                .build())
                        .build());
                try {
                    return new RedisLink(timeoutMillis, resources, null, null, c, c.connect(ByteArrayCodec.INSTANCE));
                } catch (RuntimeException e) {
                    c.shutdown(0, 0, TimeUnit.MILLISECONDS);
                    throw e;
                }
            }
            RedisURI.Builder b;
            if (uri.kind() == RedisUri.Kind.SENTINEL) {
                b = RedisURI.builder().withSentinelMasterId(uri.master());
                for (NodeAddress a : uri.hosts()) {
                    b.withSentinel(a.host(), a.port());
                }
            } else {
                b = RedisURI.builder().withHost(uri.hosts().get(0).host()).withPort(uri.hosts().get(0).port());
            }
            RedisClient c = RedisClient.create(resources, redisUri(b, uri, user, password, timeout, tls));
            c.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .protocolVersion(ProtocolVersion.RESP2)
                    .socketOptions(socket)
                    .sslOptions(ssl)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .build());
            try {
                RedisLink link = new RedisLink(timeoutMillis, resources, c, c.connect(ByteArrayCodec.INSTANCE), null, null);
                if (uri.kind() == RedisUri.Kind.SENTINEL) {
                    link.sentinelWatch = SentinelWatch.open(c, uri.master(), timeoutMillis);
                }
                return link;
            } catch (RuntimeException e) {
                c.shutdown(0, 0, TimeUnit.MILLISECONDS);
                throw e;
            }
        } catch (RuntimeException e) {
            resources.shutdown(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /**
     * The tls.* options as the client takes them (trust, client certificate); without them the JDK's default trust
     * store. Host names are checked unless {@code tls.verify.hostname=false} ({@link #redisUri}).
     */
    private static SslOptions sslOptions(TlsSettings tls) {
        if (tls == null) {
            return SslOptions.create();
        }
        return SslOptions.builder().jdkSslProvider().sslContext(b -> {
            b.trustManager(tls.trustManagers());
            if (tls.keyManagers() != null) {
                b.keyManager(tls.keyManagers());
            }
        }).build();
    }

    /** TLS with {@code rediss://} or {@code tls=true}, its certificate checked against the host name unless turned off. */
    private static RedisURI redisUri(RedisURI.Builder b, RedisUri uri, String user, String password, Duration timeout,
                                     TlsSettings tls) {
        boolean useTls = uri.tls() || tls != null;
        b.withSsl(useTls).withDatabase(uri.database()).withTimeout(timeout).withClientName("session-mirror");
        if (useTls) {
            b.withVerifyPeer(tls == null || tls.verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA);
        }
        if (password != null) {
            if (user != null) {
                b.withAuthentication(user, password);
            } else {
                b.withPassword(password.toCharArray());
            }
        }
        return b.build();
    }

    /**
     * Which server processes answer now: the run id of the server (or of every cluster master, by node id). It
     * changes when a server restarted (empty: no persistence, or an older snapshot) or when a failover put a
     * replica in its place (which may have missed the last writes). Blocking, bounded by the timeout.
     */
    String incarnation() throws Exception {
        if (connection != null) {
            String info = connection.async().info().get(timeoutMillis, TimeUnit.MILLISECONDS);
            SentinelWatch watch = sentinelWatch;
            if (info.contains("role:slave") || watch != null && watch.masterMoved()) {
                // a master demoted by a failover keeps our connection open and answers writes with READONLY; one
                // an operator's failover replaced still takes writes until it is demoted: both mean reconnect
                throw new ReplicaException();
            }
            return runId(info);
        }
        TreeMap<String, String> ids = new TreeMap<>();
        for (RedisClusterNode n : clusterConnection.getPartitions()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                String info = clusterConnection.getConnection(n.getNodeId()).async().info("server")
                        .get(timeoutMillis, TimeUnit.MILLISECONDS);
                ids.put(n.getNodeId(), runId(info));
            }
        }
        return ids.toString();
    }

    /** The server answering is a replica: writes would fail with READONLY. */
    static final class ReplicaException extends Exception {
        private static final long serialVersionUID = 1L;

        ReplicaException() {
            super("the server is a replica (read-only)", null, false, false);
        }
    }

    /** What answers, for {@code check}: "Redis 7.0.15, master" or "Redis 7.0.15, cluster of 3 masters". */
    String describe() throws Exception {
        if (connection != null) {
            String info = connection.async().info("server").get(timeoutMillis, TimeUnit.MILLISECONDS);
            String role = connection.async().info("replication").get(timeoutMillis, TimeUnit.MILLISECONDS);
            return "Redis " + field(info, "redis_version") + ", " + field(role, "role");
        }
        int masters = 0;
        for (RedisClusterNode n : clusterConnection.getPartitions()) {
            masters += n.is(RedisClusterNode.NodeFlag.UPSTREAM) ? 1 : 0;
        }
        String info = clusterConnection.async().info("server").get(timeoutMillis, TimeUnit.MILLISECONDS);
        return "Redis " + field(info, "redis_version") + ", cluster of " + masters + " masters";
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "?";
    }

    /**
     * Sends the scripts and one read at connect, without waiting for them: the first writes of a fresh JVM
     * otherwise pay for loading the client's command and codec classes and for the server's NOSCRIPT round trips,
     * which on a loaded machine took longer than a timeout once. Only a warm-up: the calls that matter report
     * their own failures.
     */
    void warmUp() {
        try {
            for (String script : RedisScripts.all()) {
                commands.scriptLoad(script);
            }
            commands.get(RedisScripts.utf8("session-mirror:warm-up"));
        } catch (RuntimeException e) {
            // e.g. rejected while disconnected: nothing to warm
        }
    }

    /** A cheap round trip: PING. */
    void ping() throws Exception {
        commands.ping().get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private static String runId(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("run_id:")) {
                return line.substring("run_id:".length()).trim();
            }
        }
        return "?"; // a server without run_id (a proxy): restarts are not noticed
    }

    /** Closes the connection and stops Lettuce's threads, in the background when {@code waitMillis} is 0. */
    void close(long waitMillis) {
        SentinelWatch watch = sentinelWatch;
        if (watch != null) {
            watch.close();
        }
        try {
            if (connection != null) {
                connection.close();
                client.shutdown(0, waitMillis, TimeUnit.MILLISECONDS);
            } else {
                clusterConnection.close();
                clusterClient.shutdown(0, waitMillis, TimeUnit.MILLISECONDS);
            }
        } finally {
            resources.shutdown(0, waitMillis, TimeUnit.MILLISECONDS);
        }
    }
}
