package io.sessionmirror.agent.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Splits the {@code -javaagent} options string into raw key/value pairs. Pairs are separated by
 * {@code ,} (or {@code ;}); a segment without {@code =} continues the list value of the key before it,
 * so {@code nodes=a:11211,b:11211,write=sync} gives {@code nodes=a:11211,b:11211} and {@code write=sync}.
 * Values are checked later by {@link MirrorConfig}; here only the shape is.
 */
public final class OptionsParser {

    public static final String SOURCE = "-javaagent options";

    private OptionsParser() {
    }

    /** A segment as an error may show it: everything after a secret's or password's key name is masked. */
    static String masked(String segment) {
        segment = segment.replaceAll("(?i)(rediss?(-sentinel|-cluster)?://[^:/@,]*:)[^@]*@", "$1" + Option.MASK + "@");
        String lower = segment.toLowerCase(java.util.Locale.ROOT);
        int cut = -1;
        for (Option o : Option.values()) {
            int at = o.isSensitive() ? lower.indexOf(o.key()) : -1;
            if (at >= 0 && (cut < 0 || at + o.key().length() < cut)) {
                cut = at + o.key().length();
            }
        }
        return cut < 0 || cut == segment.length() ? segment : segment.substring(0, cut) + Option.MASK;
    }

    public static Map<String, String> parse(String options) {
        Map<String, String> out = new LinkedHashMap<>();
        if (options == null || options.trim().isEmpty()) {
            return out;
        }
        String lastKey = null;
        for (String raw : options.split("[,;]", -1)) {
            String segment = raw.trim();
            if (segment.isEmpty()) {
                continue; // tolerate "a=b,,c=d" and a trailing separator
            }
            int eq = segment.indexOf('=');
            if (eq < 0) {
                Option previous = lastKey == null ? null : Option.forKey(lastKey);
                if (previous == null || !previous.isList()) {
                    // A password with a comma in it must not end up in the error message either.
                    String shown = previous != null && previous.isSensitive() ? Option.MASK : masked(segment);
                    throw new ConfigException("session-mirror: option segment '" + shown + "' in " + SOURCE
                            + " is not key=value" + (lastKey == null ? "" : " and '" + masked(lastKey) + "' takes one value")
                            + "; write key=value pairs separated by commas, e.g. nodes=host1:11211,host2:11211,write=sync");
                }
                out.put(lastKey, out.get(lastKey) + "," + segment);
                continue;
            }
            String key = segment.substring(0, eq).trim();
            String value = segment.substring(eq + 1).trim();
            if (key.isEmpty()) {
                Option previous = lastKey == null ? null : Option.forKey(lastKey);
                String shown = previous != null && previous.isSensitive() ? Option.MASK : masked(segment);
                throw new ConfigException("session-mirror: option segment '" + shown + "' in " + SOURCE
                        + " has no key before '='; known options: " + Option.knownKeys());
            }
            if (out.containsKey(key)) {
                throw new ConfigException("session-mirror: option '" + masked(key) + "' is given twice in " + SOURCE
                        + "; give it once (list values continue after commas, e.g. nodes=a:11211,b:11211)");
            }
            out.put(key, value);
            lastKey = key;
        }
        return out;
    }
}
