package io.sessionmirror.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The agent's settings, merged from every source. Precedence, highest first: the {@code -javaagent}
 * options string, {@code -Dsessionmirror.<key>} system properties, {@code SESSIONMIRROR_<KEY>}
 * environment variables, the properties file named by {@code config}, the defaults. Any unknown key or
 * malformed value, from any source, is a {@link ConfigException} with a one-line message, so a
 * misconfiguration surfaces at deploy time rather than at failover time.
 */
public final class MirrorConfig {

    public enum WriteMode { ASYNC, SYNC }

    public enum Serializer { FST, JAVA }

    /** Sticky: the server holding a session is its primary copy. Non-sticky: Memcached is. */
    public enum Mode { STICKY, NON_STICKY }

    private final Map<Option, String> values;
    private final Map<Option, String> sources;
    private final List<NodeAddress> nodes;

    private MirrorConfig(Map<Option, String> values, Map<Option, String> sources) {
        this.values = values;
        this.sources = sources;
        this.nodes = parseNodes();
        validate();
    }

    /** Loads from the real process environment. */
    public static MirrorConfig load(String agentOptions) {
        return load(agentOptions, System.getProperties(), System.getenv());
    }

    public static MirrorConfig load(String agentOptions, Properties systemProperties, Map<String, String> env) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        Map<Option, String> sources = new EnumMap<>(Option.class);

        Map<String, String> fromOptions = OptionsParser.parse(agentOptions);
        Map<String, String> fromProperties = new java.util.LinkedHashMap<>();
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith("sessionmirror.")) {
                fromProperties.put(name.substring("sessionmirror.".length()), systemProperties.getProperty(name));
            }
        }
        Map<String, String> fromEnv = new java.util.LinkedHashMap<>();
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
        for (Option o : Option.values()) {
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
        Path p = Paths.get(path);
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(p)) {
            props.load(in);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("session-mirror: invalid value '" + path + "' for option 'config': cannot read it ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); expected " + Option.CONFIG.accepted());
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
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

    private static void apply(Map<Option, String> values, Map<Option, String> sources, Map<String, String> raw,
                              String source, boolean sourceTakesKey) {
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String where = sourceTakesKey ? source + e.getKey() : source;
            Option o = Option.forKey(e.getKey());
            if (o == null) {
                throw unknown(e.getKey(), where);
            }
            values.put(o, e.getValue().trim());
            sources.put(o, where);
        }
    }

    private static void applyEnv(Map<Option, String> values, Map<Option, String> sources, Map<String, String> env) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            Option match = null;
            for (Option o : Option.values()) {
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

    private ConfigException invalid(Option o, String extra) {
        return new ConfigException("session-mirror: invalid value '"
                + (o.isSensitive() ? Option.MASK : OptionsParser.masked(String.valueOf(values.get(o)))) + "' for option '" + o.key()
                + "' in " + sources.get(o) + (extra == null ? "" : " (" + extra + ")") + "; expected " + o.accepted());
    }

    private List<NodeAddress> parseNodes() {
        String raw = values.get(Option.NODES);
        if (raw == null) {
            return Collections.emptyList();
        }
        Set<NodeAddress> out = new LinkedHashSet<>();
        for (String part : raw.split(",", -1)) {
            if (part.trim().isEmpty()) {
                continue;
            }
            NodeAddress a = NodeAddress.parse(part);
            if (a == null) {
                throw invalid(Option.NODES, "'" + OptionsParser.masked(part.trim()) + "' is not host:port");
            }
            out.add(a);
        }
        return Collections.unmodifiableList(new ArrayList<>(out));
    }

    private void validate() {
        boolean enabled = bool(Option.ENABLED);
        if (enabled && nodes.isEmpty()) {
            if (values.containsKey(Option.NODES)) {
                throw invalid(Option.NODES, "no node given");
            }
            throw new ConfigException("session-mirror: option 'nodes' is required, e.g. -javaagent:session-mirror-agent.jar"
                    + "=nodes=127.0.0.1:11211 (or -Dsessionmirror.nodes, SESSIONMIRROR_NODES, or enabled=false)");
        }
        choice(Option.WRITE, "async", "sync");
        choice(Option.SERIALIZER, "fst", "java");
        choice(Option.LOG, "off", "error", "warn", "info", "debug", "trace");
        if (!get(Option.PREFIX).matches("[A-Za-z0-9_.-]{1,32}")) {
            throw invalid(Option.PREFIX, null);
        }
        integer(Option.TIMEOUT, 10, 60_000);
        integer(Option.QUEUE, 1, 1_000_000);
        shutdownTimeoutMillis();
        integer(Option.EXPORT, 1, 1_000_000);
        int replicas = integer(Option.REPLICAS, 0, 4);
        if (enabled && replicas >= nodes.size()) {
            throw invalid(Option.REPLICAS, replicas + 1 + " copies need at least " + (replicas + 1) + " nodes; 'nodes' lists "
                    + nodes.size());
        }
        choice(Option.MODE, "sticky", "non-sticky");
        if (get(Option.ROUTE) != null && !get(Option.ROUTE).matches("[A-Za-z0-9_-]{1,32}")) {
            throw invalid(Option.ROUTE, null);
        }
        lockPattern();
        integer(Option.LOCK_WAIT, 10, 60_000);
        validateSecurity();
        metricsPort();
        summarySeconds();
    }

    /** {host or null, port}, or null when the Prometheus endpoint is off. */
    public Object[] metricsPort() {
        String v = get(Option.METRICS_PORT).trim();
        if (v.equalsIgnoreCase("off")) {
            return null;
        }
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? null : v.substring(0, colon);
        String port = colon < 0 ? v : v.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535
                || host != null && !host.matches("[A-Za-z0-9_.:\\[\\]-]{1,253}")) {
            throw invalid(Option.METRICS_PORT, null);
        }
        return new Object[] {host, Integer.parseInt(port)};
    }

    /** Seconds between periodic summary lines in the log; 0 when off. */
    public int summarySeconds() {
        if (get(Option.SUMMARY).trim().equalsIgnoreCase("off")) {
            return 0;
        }
        return integer(Option.SUMMARY, 10, 86_400);
    }

    private void validateSecurity() {
        if (get(Option.SECRET) != null && get(Option.SECRET_FILE) != null) {
            throw invalid(Option.SECRET_FILE, "'secret' is set too, in " + sources.get(Option.SECRET) + "; give one of them");
        }
        List<String> secrets = secrets();
        if (bool(Option.ENCRYPT) && secrets.isEmpty()) {
            throw invalid(Option.ENCRYPT, "encryption needs a key: set 'secret' or 'secret.file'");
        }
        if (get(Option.PASSWORD) != null && get(Option.PASSWORD_FILE) != null) {
            throw invalid(Option.PASSWORD_FILE, "'password' is set too, in " + sources.get(Option.PASSWORD)
                    + "; give one of them");
        }
        String user = username();
        if (user != null && !user.matches("\\S{1,255}")) {
            throw invalid(Option.USERNAME, null);
        }
        String password = password();
        if (password != null && (password.isEmpty() || password.length() > 255)) {
            throw invalid(get(Option.PASSWORD_FILE) != null ? Option.PASSWORD_FILE : Option.PASSWORD,
                    "the password must have 1 to 255 characters");
        }
        if (user != null && password == null) {
            throw invalid(Option.USERNAME, "a SASL user name needs 'password' or 'password.file'");
        }
        if (user == null && password != null) {
            throw invalid(get(Option.PASSWORD_FILE) != null ? Option.PASSWORD_FILE : Option.PASSWORD,
                    "a password needs 'username'");
        }
        classPatterns(Option.CLASSES_ALLOW);
        classPatterns(Option.CLASSES_DENY);
        int max = maxSize();
        int compress = compressAbove();
        if (compress >= max) {
            throw invalid(Option.COMPRESS, "must be below max.size (" + max + " bytes)");
        }
    }

    /** The secrets that sign stored sessions, the current one first; empty when none is set. */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        Option from = get(Option.SECRET_FILE) != null ? Option.SECRET_FILE : Option.SECRET;
        String raw = get(from);
        if (raw == null) {
            return out;
        }
        if (from == Option.SECRET_FILE) {
            for (String line : readLines(Option.SECRET_FILE)) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(line);
                }
            }
            if (out.isEmpty()) {
                throw invalid(Option.SECRET_FILE, "the file holds no secret");
            }
        } else {
            for (String part : raw.split(",", -1)) {
                if (!part.trim().isEmpty()) {
                    out.add(part.trim());
                }
            }
        }
        if (out.isEmpty()) {
            throw invalid(from, "no secret given");
        }
        if (new LinkedHashSet<>(out).size() != out.size()) {
            throw invalid(from, "a secret is listed twice");
        }
        return out;
    }

    /** Secrets shorter than this are accepted, with a start-up warning: they can be guessed offline. */
    public static final int STRONG_SECRET_LENGTH = 16;

    /** Whether every configured secret has at least {@link #STRONG_SECRET_LENGTH} characters. */
    public boolean secretsStrong() {
        for (String s : secrets()) {
            if (s.length() < STRONG_SECRET_LENGTH) {
                return false;
            }
        }
        return true;
    }

    private List<String> readLines(Option o) {
        String path = get(o).trim();
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(Paths.get(path), java.nio.charset.StandardCharsets.UTF_8)) {
                lines.add(line.trim());
            }
            return lines;
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("session-mirror: invalid value '" + path + "' for option '" + o.key() + "' in "
                    + sources.get(o) + ": cannot read it (" + e.getClass().getSimpleName() + ")" + "; expected "
                    + o.accepted());
        }
    }

    /** Whether stored sessions are encrypted (AES-GCM). */
    public boolean encrypt() {
        return bool(Option.ENCRYPT);
    }

    /** The SASL user name, or null for no authentication. */
    public String username() {
        String v = get(Option.USERNAME);
        return v == null || v.isEmpty() ? null : v;
    }

    /** The SASL password (from 'password' or the first line of 'password.file'), or null. */
    public String password() {
        if (get(Option.PASSWORD_FILE) != null) {
            List<String> lines = readLines(Option.PASSWORD_FILE);
            return lines.isEmpty() ? "" : lines.get(0);
        }
        String v = get(Option.PASSWORD);
        return v == null || v.isEmpty() ? null : v;
    }

    /** The package prefixes (ending in '.') and class names of a class filter option; empty when not set. */
    public List<String> classPatterns(Option o) {
        List<String> out = new ArrayList<>();
        String raw = get(o);
        if (raw == null) {
            return out;
        }
        for (String part : raw.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*(\\.\\*?)?")) {
                throw invalid(o, "'" + OptionsParser.masked(p) + "' is not a class name or package prefix");
            }
            out.add(p.endsWith(".*") ? p.substring(0, p.length() - 1) : p);
        }
        return out;
    }

    /** Sessions whose stored form is larger are not written (Memcached's item size limit). */
    public int maxSize() {
        return size(Option.MAX_SIZE, 1024, 128 * 1024 * 1024);
    }

    /** Stored sessions larger than this are compressed; -1 when compression is off. */
    public int compressAbove() {
        if (get(Option.COMPRESS).equalsIgnoreCase("off")) {
            return -1;
        }
        return size(Option.COMPRESS, 0, 128 * 1024 * 1024);
    }

    private int size(Option o, int min, int max) {
        String v = get(o).trim().toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})([km]?)").matcher(v);
        if (!m.matches()) {
            throw invalid(o, null);
        }
        long n = Long.parseLong(m.group(1)) * (m.group(2).equals("k") ? 1024 : m.group(2).equals("m") ? 1024 * 1024 : 1);
        if (n < min || n > max) {
            throw invalid(o, "out of range");
        }
        return (int) n;
    }

    private java.util.regex.Pattern lockPattern() {
        String v = get(Option.LOCK);
        if (v.equalsIgnoreCase("none")) {
            return null;
        }
        java.util.regex.Pattern p;
        if (v.equalsIgnoreCase("all")) {
            p = java.util.regex.Pattern.compile(".*");
        } else if (v.startsWith("uri:") && v.length() > 4) {
            try {
                p = java.util.regex.Pattern.compile(v.substring(4));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw invalid(Option.LOCK, "not a regular expression: " + e.getDescription());
            }
        } else {
            throw invalid(Option.LOCK, null);
        }
        if (mode() != Mode.NON_STICKY) {
            throw invalid(Option.LOCK, "locks need mode=non-sticky; in sticky mode the server holding a session is its"
                    + " only writer");
        }
        return p;
    }

    /** The effective value of a key as text (null when unset and without default). */
    public String value(Option o) {
        return values.get(o);
    }

    private String get(Option o) {
        return values.get(o);
    }

    private boolean bool(Option o) {
        String v = get(o).toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw invalid(o, null);
    }

    private String choice(Option o, String... allowed) {
        String v = get(o).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw invalid(o, null);
    }

    private int integer(Option o, int min, int max) {
        String v = get(o);
        if (!v.matches("[0-9]{1,9}")) {
            throw invalid(o, null);
        }
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
            throw invalid(o, "out of range");
        }
        return n;
    }

    public boolean enabled() {
        return bool(Option.ENABLED);
    }

    public List<NodeAddress> nodes() {
        return nodes;
    }

    public WriteMode writeMode() {
        return WriteMode.valueOf(choice(Option.WRITE, "async", "sync").toUpperCase(Locale.ROOT));
    }

    public Serializer serializer() {
        return Serializer.valueOf(choice(Option.SERIALIZER, "fst", "java").toUpperCase(Locale.ROOT));
    }

    public int replicas() {
        return integer(Option.REPLICAS, 0, 4);
    }

    public Mode mode() {
        return choice(Option.MODE, "sticky", "non-sticky").equals("sticky") ? Mode.STICKY : Mode.NON_STICKY;
    }

    /** The route this server puts after session ids, or null to use the server's own (jvmRoute, worker name). */
    public String route() {
        return get(Option.ROUTE);
    }

    /** Which request URIs take the session lock (non-sticky mode), or null for none. */
    public java.util.regex.Pattern lock() {
        return lockPattern();
    }

    public int lockWaitMillis() {
        return integer(Option.LOCK_WAIT, 10, 60_000);
    }

    public String prefix() {
        return get(Option.PREFIX);
    }

    public int timeoutMillis() {
        return integer(Option.TIMEOUT, 10, 60_000);
    }

    public int queueCapacity() {
        return integer(Option.QUEUE, 1, 1_000_000);
    }

    /** How long a JVM shutdown waits for the server's requests and their writes (see ShutdownDrain). */
    public int shutdownTimeoutMillis() {
        return integer(Option.SHUTDOWN_TIMEOUT, 100, 300_000);
    }

    /** Sessions per second written when an attach exports the sessions that already exist. */
    public int exportRate() {
        return integer(Option.EXPORT, 1, 1_000_000);
    }

    public String logLevel() {
        return choice(Option.LOG, "off", "error", "warn", "info", "debug", "trace");
    }

    /** Where a key's effective value came from ("default", "-javaagent options", ...). */
    public String sourceOf(Option o) {
        return sources.get(o);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "nodes=" + nodes + " replicas=" + replicas() + " mode=" + get(Option.MODE)
                + (route() == null ? "" : " route=" + route()) + " lock=" + get(Option.LOCK)
                + " write=" + (mode() == Mode.NON_STICKY ? "sync" : get(Option.WRITE)) + " serializer=" + get(Option.SERIALIZER)
                + " prefix=" + prefix() + " timeout=" + timeoutMillis() + "ms queue=" + queueCapacity()
                + " secret=" + (secrets().isEmpty() ? "none" : "set" + (encrypt() ? " (signed, encrypted)" : " (signed)"))
                + (username() == null ? "" : " username=" + username() + " password=" + Option.MASK)
                + " max.size=" + maxSize() + " compress=" + get(Option.COMPRESS);
    }
}
