package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of a tool command: positional words, {@code --flags}, the tool's own {@code key=value}
 * options ({@code app=}, {@code host=}, {@code classpath=}, {@code sample=}) and everything else, which is the
 * agent's options string exactly as {@code -javaagent} takes it ({@code nodes=...,secret=...}). Agent options may
 * come as separate words or as one comma-separated word; they are joined with commas, so a list value
 * ({@code nodes=a:11211,b:11211}) continues across words as it does in the agent's string.
 */
final class ToolArgs {

    final List<String> positional = new ArrayList<>();
    final Set<String> flags = new java.util.TreeSet<>();
    final Map<String, String> own = new LinkedHashMap<>();
    final String agentOptions;

    private ToolArgs(String agentOptions) {
        this.agentOptions = agentOptions;
    }

    /**
     * @param args      the words after the command name
     * @param ownKeys   the tool's own option keys
     * @param knownFlags the flags the tool takes
     * @param positionals how many leading words are positional (a session id, a war)
     */
    static ToolArgs parse(List<String> args, Set<String> ownKeys, Set<String> knownFlags, int positionals) {
        StringBuilder agent = new StringBuilder();
        List<String> words = new ArrayList<>();
        Map<String, String> own = new LinkedHashMap<>();
        Set<String> flags = new java.util.TreeSet<>();
        int positionalSeen = 0;
        for (String word : args) {
            if (word.startsWith("--")) {
                if (!knownFlags.contains(word)) {
                    throw new ConfigException("unknown flag '" + word + "'" + (knownFlags.isEmpty() ? ""
                            : "; this command takes " + String.join(", ", knownFlags)));
                }
                flags.add(word);
                continue;
            }
            int eq = word.indexOf('=');
            String key = eq < 0 ? null : word.substring(0, eq).trim();
            if (key != null && ownKeys.contains(key)) {
                if (own.put(key, word.substring(eq + 1).trim()) != null) {
                    throw new ConfigException("'" + key + "' is given twice");
                }
                continue;
            }
            if (eq < 0 && positionalSeen < positionals && agent.length() == 0) {
                words.add(word);
                positionalSeen++;
                continue;
            }
            if (agent.length() > 0) {
                agent.append(',');
            }
            agent.append(word);
        }
        if (words.size() < positionals) {
            throw new ConfigException("missing argument: expected " + positionals + " before the options");
        }
        ToolArgs parsed = new ToolArgs(agent.toString());
        parsed.positional.addAll(words);
        parsed.flags.addAll(flags);
        parsed.own.putAll(own);
        return parsed;
    }

    String own(String key) {
        return own.get(key);
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    /** {@code key}'s value as a positive number, or {@code otherwise} when it is not given. */
    int positive(String key, int otherwise) {
        String v = own.get(key);
        if (v == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ConfigException("'" + key + "=" + v + "' is not a positive number");
    }
}
