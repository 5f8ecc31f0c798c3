package io.sessionmirror.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Every configuration key, each in one place: its name, default, what it accepts (the text that error
 * messages, {@code help} and docs/configuration.md show), how its text becomes a typed value, how
 * {@code check} shows that value, and what a second attach does when it differs. The constants are in
 * the order users see them ("known options: nodes, enabled, ..."). {@code OptionDocsTest} keeps
 * docs/configuration.md in step with this list.
 */
public final class Option<T> {

    /** Turns a key's text (trimmed) into its value, or throws {@code problem.invalid(...)}. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String text, Problem problem);
    }

    /** How {@code check} shows a value; {@code raw} is the text as given, null when the key is not set. */
    @FunctionalInterface
    interface Shown<T> {
        String text(T value, String raw);
    }

    /** What a second attach with a different value for this key does in the running agent. */
    public enum OnChange {
        /** Reported as needing a restart. */
        RESTART,
        /** Applied in the running agent (the Memcached nodes, the log level). */
        APPLIED,
        /** Only used once, at the attach (the export rate; a config file's keys are compared one by one). */
        IGNORED
    }

    public static final String MASK = "****";

    private static final List<Option<?>> ALL = new ArrayList<>();
    private static final int MB = 1024 * 1024;
    private static final String[] LOG_LEVELS = {"off", "error", "warn", "info", "debug", "trace"};

    public static final Option<List<NodeAddress>> NODES = add(new Option<>("nodes", null, "host:port, dns:<name>:<port>"
            + " or config:<host>:<port>, comma-separated, or one Redis URI (redis://, rediss://, redis-sentinel://,"
            + " redis-cluster://)",
            ValueParsers::nodes, Collections.<NodeAddress>emptyList()).list().onChange(OnChange.APPLIED).shown((v, raw) -> v.toString()));
    public static final Option<Boolean> ENABLED = add(bool("enabled", "true", ""));
    public static final Option<MirrorConfig.WriteMode> WRITE = add(choice("write", "async", MirrorConfig.WriteMode.class));
    public static final Option<Integer> WRITE_INTERVAL = add(integer("write.interval", "100", "milliseconds", 0, 60_000, "")
            .shown((v, raw) -> v + " ms"));
    public static final Option<Integer> REPLICAS = add(integer("replicas", "0", "extra copies", 0, 4,
            ", less than the number of nodes").shown((v, raw) -> v + " (" + (v + 1) + " copies of each session)"));
    public static final Option<MirrorConfig.Mode> MODE = add(choice("mode", "sticky", MirrorConfig.Mode.class)
            .shown((v, raw) -> raw));
    public static final Option<String> ROUTE = add(new Option<>("route", null, "1 to 32 of the characters A-Z a-z 0-9 _ -",
            ValueParsers.matching("[A-Za-z0-9_-]{1,32}"), null)
            .shown((v, raw) -> v == null ? "the server's own (jvmRoute / worker name)" : v));
    public static final Option<Pattern> LOCK = add(new Option<>("lock", "none", "none, all or uri:<regular expression>",
            ValueParsers::lock, null).shown((v, raw) -> raw));
    public static final Option<Integer> LOCK_WAIT = add(integer("lock.wait", "2000", "milliseconds", 10, 60_000, "")
            .shown((v, raw) -> v + " ms"));
    public static final Option<MirrorConfig.SerializerChoice> SERIALIZER = add(choice("serializer", "java",
            MirrorConfig.SerializerChoice.class));
    public static final Option<String> PREFIX = add(new Option<>("prefix", "sm", "1 to 32 of the characters A-Z a-z 0-9 _ . -",
            ValueParsers.matching("[A-Za-z0-9_.-]{1,32}"), null).shown((v, raw) -> v));
    public static final Option<Integer> TIMEOUT = add(integer("timeout", "1000", "milliseconds", 10, 60_000, "")
            .shown((v, raw) -> v + " ms"));
    public static final Option<Integer> DISCOVERY_INTERVAL = add(integer("discovery.interval", "30", "seconds", 1, 3600,
            "").shown((v, raw) -> "every " + v + " s"));
    public static final Option<Integer> QUEUE = add(integer("queue", "10000", "sessions", 1, 1_000_000, "")
            .shown((v, raw) -> String.valueOf(v)));
    public static final Option<Integer> SHUTDOWN_TIMEOUT = add(integer("shutdown.timeout", "10000", "milliseconds", 100,
            300_000, ""));
    public static final Option<List<String>> SECRET = add(new Option<>("secret", null, "one or more secrets (16 characters"
            + " or more recommended), the current one first, comma-separated (no , ; = in a value)", ValueParsers::secrets,
            Collections.<String>emptyList()).list().sensitive().shown(Option::secretsShown));
    public static final Option<List<String>> SECRET_FILE = add(new Option<>("secret.file", null, "the path of a readable"
            + " file holding the secrets, one per line, the current one first", ValueParsers::secretFile,
            Collections.<String>emptyList()).shown(Option::secretsShown));
    public static final Option<Boolean> ENCRYPT = add(bool("encrypt", "false", " (true needs a secret)"));
    public static final Option<String> USERNAME = add(new Option<>("username", null, "a SASL user name of 1 to 255"
            + " characters without spaces", ValueParsers::username, null).shown((v, raw) -> v == null ? "- (no SASL)" : v));
    public static final Option<String> PASSWORD = add(new Option<>("password", null, "a SASL password of 1 to 255"
            + " characters (in -javaagent options: without , ;)", ValueParsers::password, null).sensitive()
            .shown((v, raw) -> raw == null ? "-" : MASK));
    public static final Option<String> PASSWORD_FILE = add(new Option<>("password.file", null, "the path of a readable"
            + " file whose first line is the SASL password", ValueParsers::passwordFile, null)
            .shown((v, raw) -> raw == null ? "-" : MASK));
    public static final Option<Boolean> TLS = add(bool("tls", "false", " (true: every connection to the store is TLS)"));
    public static final Option<java.security.KeyStore> TLS_CA = add(new Option<>("tls.ca", null, "the path of a PEM file"
            + " of CA certificates, or of a .jks/.p12 trust store readable without a password", TlsFiles::trustStore,
            null).shown((v, raw) -> raw == null ? "- (the JDK's trust store)" : raw));
    public static final Option<List<java.security.cert.X509Certificate>> TLS_CERT = add(new Option<>("tls.cert", null,
            "the path of a PEM file with the client certificate (then any intermediate ones)", TlsFiles::chain, null)
            .shown((v, raw) -> raw == null ? "- (no client certificate)" : raw));
    public static final Option<java.security.PrivateKey> TLS_KEY = add(new Option<>("tls.key", null, "the path of a PEM"
            + " file with the client certificate's private key, PKCS#8 unencrypted (BEGIN PRIVATE KEY)",
            TlsFiles::privateKey, null).shown((v, raw) -> raw == null ? "-" : raw));
    public static final Option<Boolean> TLS_VERIFY_HOSTNAME = add(bool("tls.verify.hostname", "true",
            " (false accepts a certificate for any name, logged as a warning)"));
    public static final Option<List<String>> CLASSES_ALLOW = add(classes("classes.allow"));
    public static final Option<List<String>> CLASSES_DENY = add(classes("classes.deny"));
    public static final Option<Integer> MAX_SIZE = add(new Option<>("max.size", "1m", "a size in bytes from "
            + ValueParsers.sizeText(1024) + " to " + ValueParsers.sizeText(128 * MB) + ", e.g. 1048576, 900k or 2m",
            ValueParsers.size(1024, 128 * MB), null).shown((v, raw) -> v + " bytes"));
    public static final Option<Integer> COMPRESS = add(new Option<>("compress", "off", "off, or a size in bytes (e.g. 4k)"
            + " above which stored sessions are compressed", ValueParsers.size(0, 128 * MB), null).orOff(-1)
            .shown((v, raw) -> v < 0 ? "off" : "above " + v + " bytes"));
    public static final Option<ListenAddress> METRICS_PORT = add(new Option<>("metrics.port", "off", "off, or a TCP port"
            + " (1 to 65535), optionally as host:port", ValueParsers::listenAddress, null).orOff(null)
            .shown((v, raw) -> v == null ? "off" : v.toString()));
    public static final Option<Integer> SUMMARY = add(integer("summary", "600", "seconds", 10, 86_400,
            " between summary lines, or off").orOff(0)
            .shown((v, raw) -> v == 0 ? "off" : "every " + v + " s"));
    public static final Option<String> LOG = add(new Option<>("log", "info", ValueParsers.alternatives(LOG_LEVELS),
            ValueParsers.oneOf(LOG_LEVELS), null).onChange(OnChange.APPLIED).shown((v, raw) -> v));
    public static final Option<Integer> EXPORT = add(integer("export", "5000", "sessions per second", 1, 1_000_000, "")
            .onChange(OnChange.IGNORED).shown((v, raw) -> v + " sessions/s"));
    public static final Option<String> CONFIG = add(new Option<>("config", null, "the path of a readable properties file",
            (text, problem) -> text, null).onChange(OnChange.IGNORED));

    private final String key;
    private final String defaultValue;
    private final String accepted;
    private final T unset;
    private Parser<T> parser;
    private boolean list;
    private boolean sensitive;
    private OnChange onChange = OnChange.RESTART;
    private Shown<T> shown = (v, raw) -> raw == null ? "-" : "set";

    // The setters below are used only while this class initialises its constants: an Option never changes after.
    private Option(String key, String defaultValue, String accepted, Parser<T> parser, T unset) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.accepted = accepted;
        this.parser = parser;
        this.unset = unset;
    }

    private static <T> Option<T> add(Option<T> o) {
        ALL.add(o);
        return o;
    }

    private Option<T> list() {
        list = true;
        return this;
    }

    private Option<T> sensitive() {
        sensitive = true;
        return this;
    }

    private Option<T> onChange(OnChange what) {
        onChange = what;
        return this;
    }

    private Option<T> shown(Shown<T> how) {
        shown = how;
        return this;
    }

    /** Also accepts "off" (any case), as {@code offValue}. */
    private Option<T> orOff(T offValue) {
        parser = ValueParsers.offOr(offValue, parser);
        return this;
    }

    private static Option<Boolean> bool(String key, String defaultValue, String note) {
        return new Option<>(key, defaultValue, "true or false" + note, ValueParsers::bool, null)
                .shown((v, raw) -> String.valueOf(v));
    }

    private static <E extends Enum<E>> Option<E> choice(String key, String defaultValue, Class<E> type) {
        return new Option<>(key, defaultValue, ValueParsers.alternatives(ValueParsers.names(type)),
                ValueParsers.choice(type), null).shown((v, raw) -> v.name().toLowerCase(Locale.ROOT));
    }

    /** A whole number in a range; the range is written here once and shown in the accepted text. */
    private static Option<Integer> integer(String key, String defaultValue, String unit, int min, int max, String note) {
        return new Option<>(key, defaultValue, "a whole number of " + unit + " from " + min + " to " + max + note,
                ValueParsers.integer(min, max), null);
    }

    private static Option<List<String>> classes(String key) {
        return new Option<>(key, null, "class names or package prefixes ending in . or .*, comma-separated",
                ValueParsers::classPatterns, Collections.<String>emptyList()).list();
    }

    private static String secretsShown(List<String> secrets, String raw) {
        return raw == null ? "-" : secrets.size() + " secret(s), " + MASK;
    }

    /** The typed value of a text (trimmed; null when the key is not set and has no default). */
    T parse(String text, Problem problem) {
        return text == null ? unset : parser.parse(text, problem);
    }

    /** How {@code check} shows a value. */
    String show(T value, String raw) {
        return shown.text(value, raw);
    }

    public OnChange onChange() {
        return onChange;
    }

    /** A secret or password: its value is never logged, printed or put in an error message. */
    public boolean isSensitive() {
        return sensitive;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** What a value must look like: for error messages, {@code help} and the docs. */
    public String accepted() {
        return accepted;
    }

    /** Whether a following segment without {@code =} continues this key's value. */
    public boolean isList() {
        return list;
    }

    /** The system property that sets this key. */
    public String systemProperty() {
        return "sessionmirror." + key;
    }

    /** The environment variable that sets this key. */
    public String environmentVariable() {
        return "SESSIONMIRROR_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    @Override
    public String toString() {
        return key;
    }

    /** Every key, in the order users see them. */
    public static Option<?>[] values() {
        return ALL.toArray(new Option<?>[0]);
    }

    public static Option<?> forKey(String key) {
        for (Option<?> o : ALL) {
            if (o.key.equals(key)) {
                return o;
            }
        }
        return null;
    }

    public static String knownKeys() {
        List<String> keys = new ArrayList<>();
        for (Option<?> o : ALL) {
            keys.add(o.key);
        }
        return String.join(", ", keys);
    }

    /** The known key closest to a misspelt one, or null when none is close. */
    static String closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Option<?> o : ALL) {
            int d = distance(key.toLowerCase(Locale.ROOT), o.key);
            if (d < bestDistance) {
                bestDistance = d;
                best = o.key;
            }
        }
        return bestDistance <= Math.max(1, key.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
