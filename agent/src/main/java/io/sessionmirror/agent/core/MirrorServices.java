package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.Serializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.config.Option;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.metrics.MetricsRegistry;
import io.sessionmirror.agent.security.ClassFilter;
import io.sessionmirror.agent.security.PayloadSeal;
import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.store.MemcachedStore;
import io.sessionmirror.agent.store.NodeDiscovery;
import io.sessionmirror.agent.store.SessionStore;
import io.sessionmirror.agent.store.redis.RedisStore;
import java.lang.management.ManagementFactory;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import org.slf4j.Logger;

/** What every server family's {@link SessionMirror} shares: one store, one write queue, one codec, the settings. */
public final class MirrorServices {

    public final SessionStore store;
    public final WriteBehindQueue queue;
    public final SessionCodec codec;
    public final SessionKeys keys;
    public final Counters stats;
    public final MetricsRegistry metrics;
    /**
     * Sticky mode: how long after a session was restored here its stored copy is still checked at each lookup.
     * The server it came from may still be finishing requests of it (a graceful stop lets them end while the
     * balancer already sends new ones here) and write after the restore: for that long this server's copy
     * is not trusted to be the newest. The old server's drain (its shutdown.timeout) plus one write.
     */
    public volatile long takeoverMillis = 10_000;
    /**
     * write=async: a session is snapshotted (checked, and written if it changed) at most once per this many
     * milliseconds; a change made meanwhile waits for the rest of the interval (option {@code write.interval}).
     */
    public volatile long writeIntervalMillis;

    /** Requests in progress that may still write a session: a shutdown waits for them. */
    public final InFlightRequests requests = new InFlightRequests();
    /** What is mirrored in this JVM, as the log says it (every family's core and gate report to it). */
    public final MirrorCoverage coverage = new MirrorCoverage(io.sessionmirror.agent.support.AgentLog.get());
    public final boolean syncWrites;
    /** Non-sticky: Memcached is the primary copy; every request checks the stored version. */
    public final boolean nonSticky;
    /** The route option, or null for the server's own. */
    public final String route;
    /** Which request URIs take the session lock (non-sticky), or null. */
    public final Pattern lock;
    public final long lockWaitMillis;
    /** Sessions whose stored form is larger are not written. */
    public final int maxSize;

    public MirrorServices(SessionStore store, WriteBehindQueue queue, SessionCodec codec, SessionKeys keys,
                          Counters stats, boolean syncWrites, boolean nonSticky, String route, Pattern lock,
                          long lockWaitMillis, int maxSize) {
        this.store = store;
        this.queue = queue;
        this.codec = codec;
        this.keys = keys;
        this.stats = stats;
        this.metrics = new MetricsRegistry(stats, queue::depth);
        // Non-sticky: the next request may go to any server, so a write must be stored before the response.
        this.syncWrites = syncWrites || nonSticky;
        this.nonSticky = nonSticky;
        this.route = route;
        this.lock = lock;
        this.lockWaitMillis = lockWaitMillis;
        this.maxSize = maxSize;
    }

    long writeIntervalNanos() {
        return writeIntervalMillis * 1_000_000L;
    }

    public static MirrorServices create(MirrorConfig config) {
        ClassFilter filter = new ClassFilter(config.classPatterns(Option.CLASSES_ALLOW),
                config.classPatterns(Option.CLASSES_DENY));
        Serializer java = new JavaSerializer(filter);
        Serializer fst = new FstSerializer(filter);
        PayloadSeal seal = config.secrets().isEmpty() ? null : new PayloadSeal(config.secrets(), config.encrypt());
        // Each copy names the server that wrote it, as the JVM names itself (pid@host: no DNS lookup), for inspect.
        String writer = ManagementFactory.getRuntimeMXBean().getName();
        SessionCodec codec = config.serializer() == MirrorConfig.SerializerChoice.FST
                ? new SessionCodec(seal, config.compressAbove(), writer, fst, java)
                : new SessionCodec(seal, config.compressAbove(), writer, java, fst);
        Counters stats = new Counters();
        SessionStore store = storeFor(config, stats, new StoredCopyOrder(codec));
        MirrorServices services = new MirrorServices(store, new WriteBehindQueue(config.queueCapacity()), codec,
                new SessionKeys(config.prefix()), stats, config.writeMode() == MirrorConfig.WriteMode.SYNC,
                config.mode() == MirrorConfig.Mode.NON_STICKY, config.route(), config.lock(), config.lockWaitMillis(),
                config.maxSize());
        services.takeoverMillis = config.shutdownTimeoutMillis() + 2L * config.timeoutMillis();
        services.writeIntervalMillis = config.writeIntervalMillis();
        return services;
    }

    /** The store {@code nodes} names: one Redis/Valkey URI, or a list of Memcached nodes. */
    private static SessionStore storeFor(MirrorConfig config, Counters stats, StoredCopyOrder order) {
        RedisUri redis = config.redis();
        if (redis == null) {
            // dns: and config: entries: the store starts with what they say now and follows them (NodeDiscovery).
            NodeDiscovery discovery = NodeDiscovery.of(config.nodes(),
                    config.tls() == null ? SocketFactory.getDefault() : config.tls().verifyingSocketFactory(),
                    config.timeoutMillis(), config.discoveryIntervalSeconds(), stats);
            MemcachedStore store = new MemcachedStore(discovery == null ? config.nodes()
                    : discovery.firstList(Math.max(2000, 2L * config.timeoutMillis())), config.timeoutMillis(),
                    config.replicas(), stats, config.username(), config.password(), order,
                    config.tls());
            if (discovery != null) {
                store.follow(discovery);
            }
            return store;
        }
        // credentials in the URI win over the username/password options
        boolean inUri = redis.password() != null;
        return new RedisStore(redis, config.timeoutMillis(), stats, inUri ? redis.user() : config.username(),
                inUri ? redis.password() : config.password(), order, config.tls());
    }

    /**
     * For JVM shutdown: waits for the server to finish its requests and for their writes (see
     * {@link ShutdownDrain}), at most {@code timeoutMillis}, then refuses new work and disconnects.
     */
    public ShutdownDrain.Outcome shutdown(long timeoutMillis, Logger log) {
        return new ShutdownDrain(requests, queue, store).run(timeoutMillis, log);
    }
}
