package io.sessionmirror.agent.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A Redis/Valkey store named in {@code nodes} (the whole value):
 * <ul>
 *   <li>{@code redis://[user:password@]host[:port][/db]} one server (port 6379), {@code rediss://} the same over TLS;</li>
 *   <li>{@code redis-sentinel://[user:password@]h[:p][,h[:p]...]/<master>[/db]} the master the Sentinels (port
 *       26379) name, followed across failovers;</li>
 *   <li>{@code redis-cluster://[user:password@]h[:p][,h[:p]...]} a Redis Cluster, found from these seed nodes.</li>
 * </ul>
 * Credentials are percent-decoded ({@code %40} for {@code @}); {@code :password@} alone is the default user's
 * password. They are the data nodes' AUTH; the Sentinels themselves are asked without.
 */
public final class RedisUri {

    public enum Kind { STANDALONE, SENTINEL, CLUSTER }

    public static final int DEFAULT_PORT = 6379;
    public static final int DEFAULT_SENTINEL_PORT = 26379;
    private static final String[] SCHEMES = {"redis://", "rediss://", "redis-sentinel://", "redis-cluster://"};

    private final Kind kind;
    private final boolean tls;
    private final List<NodeAddress> hosts;
    private final String user;
    private final String password;
    private final int database;
    private final String master;

    private RedisUri(Kind kind, boolean tls, List<NodeAddress> hosts, String user, String password, int database,
                     String master) {
        this.kind = kind;
        this.tls = tls;
        this.hosts = hosts;
        this.user = user;
        this.password = password;
        this.database = database;
        this.master = master;
    }

    /** Whether {@code text} starts with one of the Redis schemes (any case). */
    public static boolean isRedis(String text) {
        return scheme(text) != null;
    }

    /** Whether a Redis scheme appears anywhere in {@code text}: mixed with Memcached entries if not at the start. */
    static boolean mentionsRedis(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String s : SCHEMES) {
            if (lower.contains(s)) {
                return true;
            }
        }
        return false;
    }

    private static String scheme(String text) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        for (String s : SCHEMES) {
            if (lower.startsWith(s)) {
                return s;
            }
        }
        return null;
    }

    /** Parses a Redis URI; {@link IllegalArgumentException} with a short reason (no password in it) when it is not one. */
    public static RedisUri parse(String text) {
        String scheme = scheme(text);
        if (scheme == null) {
            throw new IllegalArgumentException("not a redis://, rediss://, redis-sentinel:// or redis-cluster:// URI");
        }
        String rest = text.trim().substring(scheme.length());
        Kind kind = scheme.startsWith("redis-sentinel") ? Kind.SENTINEL
                : scheme.startsWith("redis-cluster") ? Kind.CLUSTER : Kind.STANDALONE;
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("credentials in a Redis URI are user:password@ or :password@");
            }
            user = colon == 0 ? null : decode(info.substring(0, colon));
            password = decode(info.substring(colon + 1));
            if (password.isEmpty()) {
                throw new IllegalArgumentException("the password in the Redis URI is empty");
            }
        }
        String[] path = rest.split("/", -1);
        List<NodeAddress> hosts = hosts(path[0], kind == Kind.SENTINEL ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT,
                kind != Kind.STANDALONE);
        String master = null;
        int next = 1;
        if (kind == Kind.SENTINEL) {
            if (path.length < 2 || path[1].isEmpty()) {
                throw new IllegalArgumentException("a Sentinel URI names its master: redis-sentinel://host:port/<master>");
            }
            master = decode(path[1]);
            next = 2;
        }
        int database = 0;
        if (path.length > next && !(path.length == next + 1 && path[next].isEmpty())) {
            if (kind == Kind.CLUSTER) {
                throw new IllegalArgumentException("a Redis Cluster has only database 0: no /db in redis-cluster://");
            }
            if (path.length > next + 1 || !path[next].matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("the database index must be a number, e.g. redis://host:6379/2");
            }
            database = Integer.parseInt(path[next]);
        }
        return new RedisUri(kind, scheme.equals("rediss://"), hosts, user, password, database, master);
    }

    private static List<NodeAddress> hosts(String list, int defaultPort, boolean several) {
        List<NodeAddress> out = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            if (part.trim().isEmpty()) {
                continue;
            }
            NodeAddress a = NodeAddress.parse(part);
            if (a == null) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not host:port");
            }
            String p = part.trim();
            boolean portGiven = p.startsWith("[") ? p.contains("]:") : p.contains(":");
            out.add(portGiven ? a : new NodeAddress(a.host(), defaultPort));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no host in the Redis URI");
        }
        if (!several && out.size() > 1) {
            throw new IllegalArgumentException("redis:// names one server; use redis-sentinel:// or redis-cluster:// for"
                    + " several");
        }
        return Collections.unmodifiableList(out);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad %-escape in the Redis URI's credentials or master name");
        }
    }

    public Kind kind() {
        return kind;
    }

    /** {@code rediss://}: TLS to the server. */
    public boolean tls() {
        return tls;
    }

    /** The server, the Sentinels, or the cluster's seed nodes, as written. */
    public List<NodeAddress> hosts() {
        return hosts;
    }

    /** The same store kind and credentials on other hosts (a second attach with another host list). */
    public RedisUri withHosts(List<NodeAddress> newHosts) {
        if (newHosts.isEmpty() || kind == Kind.STANDALONE && newHosts.size() > 1) {
            throw new IllegalArgumentException("redis:// names one server");
        }
        return new RedisUri(kind, tls, Collections.unmodifiableList(new ArrayList<>(newHosts)), user, password, database,
                master);
    }

    /** The ACL user of the URI, or null (the default user, or the {@code username} option). */
    public String user() {
        return user;
    }

    /** The password of the URI, or null (none, or the {@code password} option). */
    public String password() {
        return password;
    }

    public int database() {
        return database;
    }

    /** The Sentinel master name, or null. */
    public String master() {
        return master;
    }

    /** As written, without the credentials (for logs). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kind == Kind.SENTINEL ? "redis-sentinel://" : kind == Kind.CLUSTER
                ? "redis-cluster://" : tls ? "rediss://" : "redis://");
        if (password != null) {
            b.append(user == null ? "" : user).append(":****@");
        }
        for (int i = 0; i < hosts.size(); i++) {
            b.append(i == 0 ? "" : ",").append(hosts.get(i));
        }
        if (master != null) {
            b.append('/').append(master);
        }
        if (database != 0) {
            b.append('/').append(database);
        }
        return b.toString();
    }
}
