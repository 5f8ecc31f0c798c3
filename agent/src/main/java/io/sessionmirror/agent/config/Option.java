package io.sessionmirror.agent.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every configuration key, with its default and what it accepts. docs/configuration.md describes the
 * same list for people; {@code OptionTest} keeps the two in step.
 */
public enum Option {
    NODES("nodes", null, "host:port[,host:port...]", true),
    ENABLED("enabled", "true", "true or false", false),
    WRITE("write", "async", "async or sync", false),
    REPLICAS("replicas", "0", "a whole number of extra copies from 0 to 4, less than the number of nodes", false),
    MODE("mode", "sticky", "sticky or non-sticky", false),
    ROUTE("route", null, "1 to 32 of the characters A-Z a-z 0-9 _ -", false),
    LOCK("lock", "none", "none, all or uri:<regular expression>", false),
    LOCK_WAIT("lock.wait", "2000", "a whole number of milliseconds from 10 to 60000", false),
    SERIALIZER("serializer", "fst", "fst or java", false),
    PREFIX("prefix", "sm", "1 to 32 of the characters A-Z a-z 0-9 _ . -", false),
    TIMEOUT("timeout", "1000", "a whole number of milliseconds from 10 to 60000", false),
    QUEUE("queue", "10000", "a whole number of sessions from 1 to 1000000", false),
    SHUTDOWN_TIMEOUT("shutdown.timeout", "10000", "a whole number of milliseconds from 100 to 300000", false),
    SECRET("secret", null, "one or more secrets (16 characters or more recommended), the current one first,"
            + " comma-separated (no , ; = in a value)", true, true),
    SECRET_FILE("secret.file", null, "the path of a readable file holding the secrets, one per line, the current one"
            + " first", false),
    ENCRYPT("encrypt", "false", "true or false (true needs a secret)", false),
    USERNAME("username", null, "a SASL user name of 1 to 255 characters without spaces", false),
    PASSWORD("password", null, "a SASL password of 1 to 255 characters (in -javaagent options: without , ;)", false, true),
    PASSWORD_FILE("password.file", null, "the path of a readable file whose first line is the SASL password", false),
    CLASSES_ALLOW("classes.allow", null, "class names or package prefixes ending in . or .*, comma-separated", true),
    CLASSES_DENY("classes.deny", null, "class names or package prefixes ending in . or .*, comma-separated", true),
    MAX_SIZE("max.size", "1m", "a size in bytes from 1k to 128m, e.g. 1048576, 900k or 2m", false),
    COMPRESS("compress", "off", "off, or a size in bytes (e.g. 4k) above which stored sessions are compressed", false),
    METRICS_PORT("metrics.port", "off", "off, or a TCP port (1 to 65535), optionally as host:port", false),
    SUMMARY("summary", "600", "a whole number of seconds from 10 to 86400 between summary lines, or off", false),
    LOG("log", "info", "off, error, warn, info, debug or trace", false),
    EXPORT("export", "5000", "a whole number of sessions per second from 1 to 1000000", false),
    CONFIG("config", null, "the path of a readable properties file", false);

    private final String key;
    private final String defaultValue;
    private final String accepted;
    private final boolean list;
    private final boolean sensitive;

    Option(String key, String defaultValue, String accepted, boolean list) {
        this(key, defaultValue, accepted, list, false);
    }

    Option(String key, String defaultValue, String accepted, boolean list, boolean sensitive) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.accepted = accepted;
        this.list = list;
        this.sensitive = sensitive;
    }

    /** A secret or password: its value is never logged, printed or put in an error message. */
    public boolean isSensitive() {
        return sensitive;
    }

    /** The value as it may be shown: masked for a sensitive key. */
    public String shown(String value) {
        return value == null ? null : sensitive ? MASK : value;
    }

    public static final String MASK = "****";

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** What a value must look like, for error messages. */
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

    public static Option forKey(String key) {
        for (Option o : values()) {
            if (o.key.equals(key)) {
                return o;
            }
        }
        return null;
    }

    public static String knownKeys() {
        List<String> keys = new ArrayList<>();
        for (Option o : values()) {
            keys.add(o.key);
        }
        return String.join(", ", keys);
    }

    /** The known key closest to a misspelt one, or null when none is close. */
    static String closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Option o : values()) {
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

    static List<Option> all() {
        return Arrays.asList(values());
    }
}
