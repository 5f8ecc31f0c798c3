package io.sessionmirror.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The agent's settings, merged from every source, parsed and checked once when loaded, then immutable.
 * Precedence, highest first: the {@code -javaagent} options string, {@code -Dsessionmirror.<key>} system
 * properties, {@code SESSIONMIRROR_<KEY>} environment variables, the properties file named by
 * {@code config}, the defaults. Any unknown key or malformed value, from any source, is a
 * {@link ConfigException} with a one-line message, so a misconfiguration surfaces at deploy time rather
 * than at failover time. What each key accepts is in {@link Option}; the checks between keys are here.
 */
public final class MirrorConfig {

    public enum WriteMode { ASYNC, SYNC }

    /** Which serializer writes attributes ({@code serializer}); not to be confused with codec's Serializer. */
    public enum SerializerChoice { FST, JAVA }

    /** Sticky: the server holding a session is its primary copy. Non-sticky: Memcached is. */
    public enum Mode { STICKY, NON_STICKY }

    /** Secrets shorter than this are accepted, with a start-up warning: they can be guessed offline. */
    public static final int STRONG_SECRET_LENGTH = 16;

    private final Map<Option<?>, String> raw;
    private final Map<Option<?>, String> sources;
    private final Map<Option<?>, Object> parsed = new IdentityHashMap<>();

    private MirrorConfig(Map<Option<?>, String> raw, Map<Option<?>, String> sources) {
        this.raw = raw;
        this.sources = sources;
        // Each key is parsed once, here. The order is the order of the checks before keys parsed themselves, so
        // that with several mistakes the same one is reported first; the loop at the end parses any other key.
        parse(Option.NODES, Option.ENABLED);
        List<NodeAddress> nodes = nodes();
        if (enabled() && nodes.isEmpty()) {
            if (raw.containsKey(Option.NODES)) {
                throw problem(Option.NODES).invalid("no node given");
            }
            throw new ConfigException("session-mirror: option 'nodes' is required, e.g. -javaagent:session-mirror-agent.jar"
                    + "=nodes=127.0.0.1:11211 (or -Dsessionmirror.nodes, SESSIONMIRROR_NODES, or enabled=false)");
        }
        parse(Option.WRITE, Option.SERIALIZER, Option.LOG, Option.PREFIX, Option.TIMEOUT, Option.QUEUE,
                Option.SHUTDOWN_TIMEOUT, Option.EXPORT, Option.REPLICAS);
        if (redis() != null && replicas() > 0) {
            throw problem(Option.REPLICAS).invalid("with Redis, replication is the Redis server's job (its"
                    + " replicas, Sentinel or Cluster): leave replicas at 0");
        }
        if (enabled() && redis() == null && replicas() >= nodes.size()) {
            throw problem(Option.REPLICAS).invalid(replicas() + 1 + " copies need at least " + (replicas() + 1)
                    + " nodes; 'nodes' lists " + nodes.size());
        }
        parse(Option.MODE, Option.ROUTE, Option.LOCK);
        if (lock() != null && mode() != Mode.NON_STICKY) {
            throw problem(Option.LOCK).invalid("locks need mode=non-sticky; in sticky mode the server holding a session is"
                    + " its only writer");
        }
        parse(Option.LOCK_WAIT);
        notBoth(Option.SECRET, Option.SECRET_FILE);
        parse(Option.SECRET, Option.SECRET_FILE, Option.ENCRYPT);
        if (encrypt() && secrets().isEmpty()) {
            throw problem(Option.ENCRYPT).invalid("encryption needs a key: set 'secret' or 'secret.file'");
        }
        notBoth(Option.PASSWORD, Option.PASSWORD_FILE);
        parse(Option.USERNAME, Option.PASSWORD_FILE, Option.PASSWORD);
        Option<String> passwordFrom = raw.get(Option.PASSWORD_FILE) != null ? Option.PASSWORD_FILE : Option.PASSWORD;
        if (username() != null && password() == null) {
            throw problem(Option.USERNAME).invalid("a SASL user name needs 'password' or 'password.file'");
        }
        if (username() == null && password() != null) {
            throw problem(passwordFrom).invalid("a password needs 'username'");
        }
        parse(Option.CLASSES_ALLOW, Option.CLASSES_DENY, Option.MAX_SIZE, Option.COMPRESS);
        if (compressAbove() >= maxSize()) {
            throw problem(Option.COMPRESS).invalid("must be below max.size (" + maxSize() + " bytes)");
        }
        parse(Option.values());
    }

    private void parse(Option<?>... options) {
        for (Option<?> o : options) {
            if (!parsed.containsKey(o)) {
                parsed.put(o, parseOne(o));
            }
        }
    }

    private <T> T parseOne(Option<T> o) {
        return o.parse(raw.get(o), problem(o));
    }

    private Problem problem(Option<?> o) {
        return new Problem(o, raw.get(o), sources.get(o));
    }

    private void notBoth(Option<?> value, Option<?> file) {
        if (raw.get(value) != null && raw.get(file) != null) {
            throw problem(file).invalid("'" + value.key() + "' is set too, in " + sources.get(value) + "; give one of them");
        }
    }

    /** Loads from the real process environment. */
    public static MirrorConfig load(String agentOptions) {
        return load(agentOptions, System.getProperties(), System.getenv());
    }

    public static MirrorConfig load(String agentOptions, Properties systemProperties, Map<String, String> env) {
        Map<Option<?>, String> values = new IdentityHashMap<>();
        Map<Option<?>, String> sources = new IdentityHashMap<>();

        Map<String, String> fromOptions = OptionsParser.parse(agentOptions);
        Map<String, String> fromProperties = new LinkedHashMap<>();
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith("sessionmirror.")) {
                fromProperties.put(name.substring("sessionmirror.".length()), systemProperties.getProperty(name));
            }
        }
        Map<String, String> fromEnv = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith("SESSIONMIRROR_")) {
                fromEnv.put(e.getKey(), e.getValue());
            }
        }

        // The config file is itself configurable from the three higher sources.
        String configPath = first(fromOptions.get("config"), fromProperties.get("config"),
                fromEnv.get(Option.CONFIG.environmentVariable()));
        Map<String, String> fromFile = configPath == null ? Collections.emptyMap() : readFile(configPath.trim());

        // Lowest precedence first, so higher sources overwrite.
        apply(values, sources, fromFile, "config file " + configPath, false);
        applyEnv(values, sources, fromEnv);
        apply(values, sources, fromProperties, "system property -Dsessionmirror.", true);
        apply(values, sources, fromOptions, OptionsParser.SOURCE, false);
        for (Option<?> o : Option.values()) {
            if (!values.containsKey(o) && o.defaultValue() != null) {
                values.put(o, o.defaultValue());
                sources.put(o, "default");
            }
        }
        return new MirrorConfig(values, sources);
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.trim().isEmpty()) {
                return c;
            }
        }
        return null;
    }

    private static Map<String, String> readFile(String path) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Paths.get(path))) {
            props.load(in);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("session-mirror: invalid value '" + path + "' for option 'config': cannot read it ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); expected " + Option.CONFIG.accepted());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            String key = name.startsWith("sessionmirror.") ? name.substring("sessionmirror.".length()) : name;
            if ("config".equals(key)) {
                throw new ConfigException("session-mirror: option 'config' in config file " + path
                        + " is not allowed; a config file cannot name another one");
            }
            out.put(key, props.getProperty(name));
        }
        return out;
    }

    private static void apply(Map<Option<?>, String> values, Map<Option<?>, String> sources, Map<String, String> raw,
                              String source, boolean sourceTakesKey) {
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String where = sourceTakesKey ? source + e.getKey() : source;
            Option<?> o = Option.forKey(e.getKey());
            if (o == null) {
                throw unknown(e.getKey(), where);
            }
            values.put(o, e.getValue().trim());
            sources.put(o, where);
        }
    }

    private static void applyEnv(Map<Option<?>, String> values, Map<Option<?>, String> sources, Map<String, String> env) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            Option<?> match = null;
            for (Option<?> o : Option.values()) {
                if (o.environmentVariable().equals(e.getKey())) {
                    match = o;
                }
            }
            String where = "environment variable " + e.getKey();
            if (match == null) {
                String key = e.getKey().substring("SESSIONMIRROR_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
                throw unknown(key, where);
            }
            values.put(match, e.getValue().trim());
            sources.put(match, where);
        }
    }

    private static ConfigException unknown(String key, String where) {
        String suggestion = Option.closest(key);
        return new ConfigException("session-mirror: unknown option '" + OptionsParser.masked(key) + "' in " + where
                + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
                + "; known options: " + Option.knownKeys());
    }

    /** A key's typed value, parsed once at load. */
    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> o) {
        return (T) parsed.get(o);
    }

    /** The effective value of a key as text (null when unset and without default). */
    public String value(Option<?> o) {
        return raw.get(o);
    }

    /** Where a key's effective value came from ("default", "-javaagent options", ...); null when not set. */
    public String sourceOf(Option<?> o) {
        return sources.get(o);
    }

    /** A key's value as {@code check} shows it. */
    public <T> String shown(Option<T> o) {
        return o.show(get(o), raw.get(o));
    }

    /**
     * What a second attach with these settings could not apply to an agent running with {@code running}:
     * "key=new (running: old)", a secret only as "key (changed)".
     */
    public List<String> changesNeedingRestart(MirrorConfig running) {
        List<String> out = new ArrayList<>();
        for (Option<?> o : Option.values()) {
            if (o.onChange() == Option.OnChange.RESTART && !Objects.equals(value(o), running.value(o))) {
                out.add(o.isSensitive() ? o.key() + " (changed)"
                        : o.key() + "=" + value(o) + " (running: " + running.value(o) + ")");
            }
        }
        return out;
    }

    public boolean enabled() {
        return get(Option.ENABLED);
    }

    public List<NodeAddress> nodes() {
        return get(Option.NODES);
    }

    /** The Redis/Valkey store {@code nodes} names, or null when it lists Memcached nodes. */
    public RedisUri redis() {
        String text = raw.get(Option.NODES);
        return text != null && RedisUri.isRedis(text) ? RedisUri.parse(text) : null;
    }

    public WriteMode writeMode() {
        return get(Option.WRITE);
    }

    public SerializerChoice serializer() {
        return get(Option.SERIALIZER);
    }

    public int replicas() {
        return get(Option.REPLICAS);
    }

    public Mode mode() {
        return get(Option.MODE);
    }

    /** The route this server puts after session ids, or null to use the server's own (jvmRoute, worker name). */
    public String route() {
        return get(Option.ROUTE);
    }

    /** Which request URIs take the session lock (non-sticky mode), or null for none. */
    public Pattern lock() {
        return get(Option.LOCK);
    }

    public int lockWaitMillis() {
        return get(Option.LOCK_WAIT);
    }

    public String prefix() {
        return get(Option.PREFIX);
    }

    public int timeoutMillis() {
        return get(Option.TIMEOUT);
    }

    /** write=async: the shortest time between two snapshots (and writes) of one session. */
    public int writeIntervalMillis() {
        return get(Option.WRITE_INTERVAL);
    }

    public int queueCapacity() {
        return get(Option.QUEUE);
    }

    /** How long a JVM shutdown waits for the server's requests and their writes (see ShutdownDrain). */
    public int shutdownTimeoutMillis() {
        return get(Option.SHUTDOWN_TIMEOUT);
    }

    /** Sessions per second written when an attach exports the sessions that already exist. */
    public int exportRate() {
        return get(Option.EXPORT);
    }

    public String logLevel() {
        return get(Option.LOG);
    }

    /** Where the Prometheus endpoint listens, or null when it is off. */
    public ListenAddress metricsPort() {
        return get(Option.METRICS_PORT);
    }

    /** Seconds between periodic summary lines in the log; 0 when off. */
    public int summarySeconds() {
        return get(Option.SUMMARY);
    }

    /** The secrets that sign stored sessions, the current one first; empty when none is set. */
    public List<String> secrets() {
        return raw.get(Option.SECRET_FILE) != null ? get(Option.SECRET_FILE) : get(Option.SECRET);
    }

    /** Whether every configured secret has at least {@link #STRONG_SECRET_LENGTH} characters. */
    public boolean secretsStrong() {
        for (String s : secrets()) {
            if (s.length() < STRONG_SECRET_LENGTH) {
                return false;
            }
        }
        return true;
    }

    /** Whether stored sessions are encrypted (AES-GCM). */
    public boolean encrypt() {
        return get(Option.ENCRYPT);
    }

    /** The SASL user name, or null for no authentication. */
    public String username() {
        return get(Option.USERNAME);
    }

    /** The SASL password (from 'password' or the first line of 'password.file'), or null. */
    public String password() {
        return raw.get(Option.PASSWORD_FILE) != null ? get(Option.PASSWORD_FILE) : get(Option.PASSWORD);
    }

    /** The package prefixes (ending in '.') and class names of a class filter option; empty when not set. */
    public List<String> classPatterns(Option<List<String>> o) {
        return get(o);
    }

    /** Sessions whose stored form is larger are not written (Memcached's item size limit). */
    public int maxSize() {
        return get(Option.MAX_SIZE);
    }

    /** Stored sessions larger than this are compressed; -1 when compression is off. */
    public int compressAbove() {
        return get(Option.COMPRESS);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "nodes=" + nodes() + " replicas=" + replicas() + " mode=" + value(Option.MODE)
                + (route() == null ? "" : " route=" + route()) + " lock=" + value(Option.LOCK)
                + " write=" + (mode() == Mode.NON_STICKY ? "sync" : value(Option.WRITE))
                + (mode() == Mode.NON_STICKY || writeMode() == WriteMode.SYNC ? "" : " write.interval=" + writeIntervalMillis()
                + "ms") + " serializer="
                + value(Option.SERIALIZER) + " prefix=" + prefix() + " timeout=" + timeoutMillis() + "ms queue="
                + queueCapacity() + " secret=" + (secrets().isEmpty() ? "none" : "set" + (encrypt() ? " (signed, encrypted)"
                : " (signed)")) + (username() == null ? "" : " username=" + username() + " password=" + Option.MASK)
                + " max.size=" + maxSize() + " compress=" + value(Option.COMPRESS);
    }
}
