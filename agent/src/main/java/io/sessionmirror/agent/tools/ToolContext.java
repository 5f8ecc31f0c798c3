package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.Serializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.Option;
import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.security.ClassFilter;
import io.sessionmirror.agent.security.PayloadSeal;
import io.sessionmirror.agent.store.MemcachedStore;
import io.sessionmirror.agent.store.NodeDiscovery;
import io.sessionmirror.agent.store.SessionStore;
import io.sessionmirror.agent.store.redis.RedisStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;

/**
 * What a tool needs to read one web app's stored sessions as the agent would: the agent's options (the same
 * string, -D properties, environment and config file as {@code -javaagent}), the codec they configure (serializer,
 * secret, class filter), the key namespace of the web app ({@code app=/ctx}, {@code host=} for a virtual host other
 * than the default), and a store that is only read from.
 */
final class ToolContext {

    final MirrorConfig config;
    final SessionCodec codec;
    final SessionKeys keys;
    final String host;
    final String app;
    final String namespace;

    private ToolContext(MirrorConfig config, String host, String app) {
        this.config = config;
        this.host = host;
        this.app = app;
        this.keys = new SessionKeys(config.prefix());
        this.namespace = keys.namespace(host, app);
        this.codec = codecOf(config);
    }

    /** From the parsed arguments; fails with a message for the operator when {@code app=} or the options are wrong. */
    static ToolContext of(ToolArgs args) {
        String app = args.own("app");
        if (app == null || app.isEmpty()) {
            throw new ConfigException("app=<context path> is missing, e.g. app=/shop (app=/ for the root web app)");
        }
        if (!app.startsWith("/")) {
            throw new ConfigException("app=" + app + ": a context path starts with '/', e.g. app=/" + app);
        }
        // the root web app: "/" as the servers give it; a trailing slash is not part of a context path
        String path = app.length() > 1 && app.endsWith("/") ? app.substring(0, app.length() - 1) : app;
        String host = args.own("host");
        MirrorConfig config = MirrorConfig.load(args.agentOptions);
        if (config.nodes().isEmpty() && config.redis() == null) {
            throw new ConfigException("nodes=... is missing: the Memcached nodes (or the Redis URI) the agent uses");
        }
        return new ToolContext(config, host == null || host.isEmpty() ? SessionKeys.DEFAULT_HOST : host, path);
    }

    /** The codec the agent builds from these options (MirrorServices does the same for the running agent). */
    private static SessionCodec codecOf(MirrorConfig config) {
        ClassFilter filter = new ClassFilter(config.classPatterns(Option.CLASSES_ALLOW),
                config.classPatterns(Option.CLASSES_DENY));
        Serializer java = new JavaSerializer(filter);
        Serializer fst = new FstSerializer(filter);
        PayloadSeal seal = config.secrets().isEmpty() ? null : new PayloadSeal(config.secrets(), config.encrypt());
        return config.serializer() == MirrorConfig.SerializerChoice.FST
                ? new SessionCodec(seal, config.compressAbove(), fst, java)
                : new SessionCodec(seal, config.compressAbove(), java, fst);
    }

    boolean hasSecret() {
        return !config.secrets().isEmpty();
    }

    String key(String sessionId) {
        return keys.key(namespace, sessionId);
    }

    /** "web app /shop" (plus the host when it is not the default one), for the output. */
    String appName() {
        return "web app " + app + (SessionKeys.DEFAULT_HOST.equals(host) ? "" : " on host " + host);
    }

    int timeoutMillis() {
        return Math.max(config.timeoutMillis(), 2000); // a tool is not a request thread: allow for a slow network
    }

    SocketFactory sockets() {
        return config.tls() == null ? SocketFactory.getDefault() : config.tls().verifyingSocketFactory();
    }

    /** The Memcached nodes, with dns:/config: entries looked up once. */
    List<NodeAddress> memcachedNodes() throws java.io.IOException {
        List<NodeAddress> nodes = new ArrayList<>();
        for (NodeAddress entry : config.nodes()) {
            if (entry.isDiscovered()) {
                nodes.addAll(NodeDiscovery.lookUpOnce(entry, sockets(), timeoutMillis()));
            } else {
                nodes.add(entry);
            }
        }
        return nodes;
    }

    /** A store that finds the newest copy of a key as the agent does, and never writes (not even a repair). */
    SessionStore openStore() throws java.io.IOException {
        RedisUri redis = config.redis();
        if (redis != null) {
            boolean inUri = redis.password() != null; // as the agent does: credentials in the URI win
            return new RedisStore(redis, timeoutMillis(), new Counters(), inUri ? redis.user() : config.username(),
                    inUri ? redis.password() : config.password(), new ReadOnlyOrder(), config.tls());
        }
        return new MemcachedStore(memcachedNodes(), timeoutMillis(), config.replicas(), new Counters(),
                config.username(), config.password(), new ReadOnlyOrder(), config.tls());
    }
}
