package io.sessionmirror.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where the option texts come from, in order of precedence: the agent options, {@code -Dsessionmirror.*} system
 * properties, {@code SESSIONMIRROR_*} environment variables, a config file; then the defaults. Unknown keys are
 * refused with the closest known one. {@link MirrorConfig} then parses and cross-checks the texts.
 */
final class ConfigSources {

    private ConfigSources() {
    }

    /**
     * Puts every key's text, and where it came from, into {@code values} and {@code sources}: the config file,
     * then environment variables, system properties and the agent options, each overriding the one before; then
     * the defaults of keys no source set.
     */
    static void gather(String agentOptions, Properties systemProperties, Map<String, String> env,
                       Map<Option<?>, String> values, Map<Option<?>, String> sources) {
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
}
