package io.sessionmirror.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The parsers {@link Option} builds its keys from: text in, typed value or a {@link Problem#invalid} out. */
final class ValueParsers {

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,9})([km]?)");
    private static final String CLASS_PATTERN = "[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*(\\.\\*?)?";

    private ValueParsers() {
    }

    static Boolean bool(String text, Problem problem) {
        String v = text.toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return v.equals("true");
        }
        throw problem.invalid(null);
    }

    /** The words an enum is written as: its constants in lower case, '_' as '-' (NON_STICKY is "non-sticky"). */
    static <E extends Enum<E>> String[] names(Class<E> type) {
        E[] constants = type.getEnumConstants();
        String[] out = new String[constants.length];
        for (int i = 0; i < constants.length; i++) {
            out[i] = constants[i].name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        return out;
    }

    /** "a, b or c". */
    static String alternatives(String[] words) {
        int last = words.length - 1;
        return String.join(", ", java.util.Arrays.copyOf(words, last)) + " or " + words[last];
    }

    static <E extends Enum<E>> Option.Parser<E> choice(Class<E> type) {
        String[] names = names(type);
        return (text, problem) -> {
            String v = text.toLowerCase(Locale.ROOT);
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(v)) {
                    return type.getEnumConstants()[i];
                }
            }
            throw problem.invalid(null);
        };
    }

    /** One of the words, in lower case whatever the case given. */
    static Option.Parser<String> oneOf(String[] words) {
        return (text, problem) -> {
            String v = text.toLowerCase(Locale.ROOT);
            for (String w : words) {
                if (w.equals(v)) {
                    return w;
                }
            }
            throw problem.invalid(null);
        };
    }

    static Option.Parser<String> matching(String regex) {
        Pattern p = Pattern.compile(regex);
        return (text, problem) -> {
            if (!p.matcher(text).matches()) {
                throw problem.invalid(null);
            }
            return text;
        };
    }

    static Option.Parser<Integer> integer(int min, int max) {
        return (text, problem) -> {
            if (!text.matches("[0-9]{1,9}")) {
                throw problem.invalid(null);
            }
            int n = Integer.parseInt(text);
            if (n < min || n > max) {
                throw problem.invalid("out of range");
            }
            return n;
        };
    }

    /** A size in bytes: a number, or with k or m. */
    static Option.Parser<Integer> size(int min, int max) {
        return (text, problem) -> {
            Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw problem.invalid(null);
            }
            long n = Long.parseLong(m.group(1)) * (m.group(2).equals("k") ? 1024 : m.group(2).equals("m") ? 1024 * 1024 : 1);
            if (n < min || n > max) {
                throw problem.invalid("out of range");
            }
            return (int) n;
        };
    }

    /** A size as {@link #size} reads it: 1024 is "1k", 134217728 is "128m". */
    static String sizeText(int bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + "m" : bytes % 1024 == 0 ? bytes / 1024 + "k" : "" + bytes;
    }

    /** "off" (any case) is {@code offValue}; anything else is what {@code parser} makes of it. */
    static <T> Option.Parser<T> offOr(T offValue, Option.Parser<T> parser) {
        return (text, problem) -> text.equalsIgnoreCase("off") ? offValue : parser.parse(text, problem);
    }

    static List<NodeAddress> nodes(String text, Problem problem) {
        if (RedisUri.isRedis(text)) {
            try {
                return RedisUri.parse(text).hosts(); // the store itself is built from MirrorConfig.redis()
            } catch (IllegalArgumentException e) {
                throw problem.invalid(e.getMessage());
            }
        }
        if (RedisUri.mentionsRedis(text)) {
            throw problem.invalid("a Redis URI is the whole 'nodes' value: Redis and Memcached entries cannot be mixed");
        }
        Set<NodeAddress> out = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            if (part.trim().isEmpty()) {
                continue;
            }
            NodeAddress a = NodeAddress.parse(part);
            if (a == null) {
                throw problem.invalid("'" + OptionsParser.masked(part.trim()) + "' is not host:port");
            }
            out.add(a);
        }
        return Collections.unmodifiableList(new ArrayList<>(out));
    }

    static ListenAddress listenAddress(String text, Problem problem) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? null : text.substring(0, colon);
        String port = colon < 0 ? text : text.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535
                || host != null && !host.matches("[A-Za-z0-9_.:\\[\\]-]{1,253}")) {
            throw problem.invalid(null);
        }
        return new ListenAddress(host, Integer.parseInt(port));
    }

    /** The URIs that take the session lock, or null for none; whether the mode allows locks is checked later. */
    static Pattern lock(String text, Problem problem) {
        if (text.equalsIgnoreCase("none")) {
            return null;
        }
        if (text.equalsIgnoreCase("all")) {
            return Pattern.compile(".*");
        }
        if (text.startsWith("uri:") && text.length() > 4) {
            try {
                return Pattern.compile(text.substring(4));
            } catch (PatternSyntaxException e) {
                throw problem.invalid("not a regular expression: " + e.getDescription());
            }
        }
        throw problem.invalid(null);
    }

    static List<String> secrets(String text, Problem problem) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (!part.trim().isEmpty()) {
                out.add(part.trim());
            }
        }
        return distinctSecrets(out, problem, "no secret given");
    }

    /** The secrets in a file, one per line; empty lines and # comments are skipped. Read once, at load. */
    static List<String> secretFile(String path, Problem problem) {
        List<String> out = new ArrayList<>();
        for (String line : readLines(path, problem)) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                out.add(line);
            }
        }
        return distinctSecrets(out, problem, "the file holds no secret");
    }

    private static List<String> distinctSecrets(List<String> secrets, Problem problem, String whenEmpty) {
        if (secrets.isEmpty()) {
            throw problem.invalid(whenEmpty);
        }
        if (new LinkedHashSet<>(secrets).size() != secrets.size()) {
            throw problem.invalid("a secret is listed twice");
        }
        return Collections.unmodifiableList(secrets);
    }

    static String username(String text, Problem problem) {
        if (text.isEmpty()) {
            return null;
        }
        if (!text.matches("\\S{1,255}")) {
            throw problem.invalid(null);
        }
        return text;
    }

    static String password(String text, Problem problem) {
        return text.isEmpty() ? null : checkedPassword(text, problem);
    }

    /** The first line of the file (empty when the file is: then refused as too short). Read once, at load. */
    static String passwordFile(String path, Problem problem) {
        List<String> lines = readLines(path, problem);
        return checkedPassword(lines.isEmpty() ? "" : lines.get(0), problem);
    }

    private static String checkedPassword(String password, Problem problem) {
        if (password.isEmpty() || password.length() > 255) {
            throw problem.invalid("the password must have 1 to 255 characters");
        }
        return password;
    }

    /** Package prefixes (ending in '.') and class names; "com.shop.*" is "com.shop.". */
    static List<String> classPatterns(String text, Problem problem) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches(CLASS_PATTERN)) {
                throw problem.invalid("'" + OptionsParser.masked(p) + "' is not a class name or package prefix");
            }
            out.add(p.endsWith(".*") ? p.substring(0, p.length() - 1) : p);
        }
        return Collections.unmodifiableList(out);
    }

    private static List<String> readLines(String path, Problem problem) {
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
                lines.add(line.trim());
            }
            return lines;
        } catch (IOException | RuntimeException e) {
            throw problem.unreadable(e);
        }
    }
}
