package io.sessionmirror.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the options string (and of the same keys as system properties and environment
 * variables): every input either loads, and then every getter works, or fails with a one-line
 * {@link ConfigException} that starts with "session-mirror: " and never contains a secret or password.
 */
class OptionsFuzzTest {

    static final long SEED = 20261126L;
    static final int CASES = 12_000;

    static final String[] VALUES = {"", " ", "0", "1", "-1", "2", "4", "5", "10", "999999999", "9999999999", "1e3",
        "true", "false", "TRUE", "yes", "async", "sync", "fst", "java", "kryo", "sticky", "non-sticky", "all", "none",
        "uri:/cart.*", "uri:(", "uri:", "uri:[a-", "off", "info", "trace", "a:1", "127.0.0.1:11211", "[::1]:11211",
        "host:99999", "host:", ":11211", "1k", "1m", "2m", "128m", "129m", "4k", "0k", "com.shop.", "com.shop.*",
        "a..b", "/etc/hostname", "/nonexistent/file", "/", "é", "\u0000", "ü=ä", "x=y=z", "sm", "route-1",
        "a very long value " + "x".repeat(300)};
    static final String[] SEPARATORS = {",", ";", ",,", " , ", ";;", ",=", "=,"};

    static String randomOptions(Random r, List<String> planted) {
        StringBuilder sb = new StringBuilder();
        int pairs = r.nextInt(7);
        for (int i = 0; i < pairs; i++) {
            if (i > 0) {
                sb.append(SEPARATORS[r.nextInt(SEPARATORS.length)]);
            }
            int kind = r.nextInt(10);
            Option o = Option.values()[r.nextInt(Option.values().length)];
            String key = kind == 0 ? randomText(r, 1 + r.nextInt(8)) : kind == 1 ? o.key().toUpperCase() : kind == 2
                    ? o.key() + "x" : o.key();
            String value;
            if (o.isSensitive() && kind > 2) {
                value = "S" + Long.toHexString(r.nextLong()) + "Q" + Long.toHexString(r.nextLong());
                if (r.nextInt(4) == 0) {
                    value = value.substring(0, 1 + r.nextInt(value.length())); // sometimes too short
                }
                if (value.length() >= 6) {
                    planted.add(value);
                }
            } else {
                value = r.nextInt(5) == 0 ? randomText(r, r.nextInt(20)) : VALUES[r.nextInt(VALUES.length)];
            }
            sb.append(key);
            if (r.nextInt(12) != 0) {
                sb.append('=');
            }
            sb.append(value);
        }
        if (r.nextInt(3) != 0) {
            sb.insert(0, "nodes=127.0.0.1:11211" + (sb.length() > 0 ? "," : ""));
        }
        return sb.toString();
    }

    static String randomText(Random r, int length) {
        String alphabet = "abcdefgkmnopqrstuwxyz.=,;:/ _-*[]()0123456789ÄéßΩ\t\\";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void everyInputLoadsOrFailsWithTheDocumentedError() {
        Random r = new Random(SEED);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            for (int i = 0; i < CASES; i++) {
                List<String> planted = new ArrayList<>();
                String options = randomOptions(r, planted);
                Properties props = new Properties();
                Map<String, String> env = new HashMap<>();
                if (r.nextInt(4) == 0) { // the same keys through the other sources
                    Option o = Option.values()[r.nextInt(Option.values().length)];
                    String v = VALUES[r.nextInt(VALUES.length)];
                    if (r.nextBoolean()) {
                        props.setProperty(o.systemProperty(), v);
                    } else {
                        env.put(o.environmentVariable(), v);
                    }
                }
                try {
                    MirrorConfig c = MirrorConfig.load(options, props, env);
                    touchEveryGetter(c);
                    outcomes[0]++;
                } catch (ConfigException e) {
                    outcomes[1]++;
                    String m = e.getMessage();
                    assertTrue(m.startsWith("session-mirror: "), "case " + i + " [" + options + "]: " + m);
                    assertFalse(m.contains("\n"), "case " + i + ": one line: " + m);
                    for (String secret : planted) {
                        assertFalse(m.contains(secret), "case " + i + " leaks a secret: " + m);
                    }
                } catch (Throwable t) {
                    fail("case " + i + " [" + options + "]: " + t + " escaped", t);
                }
            }
        });
        assertEquals(CASES, outcomes[0] + outcomes[1]);
        assertTrue(outcomes[0] > 100 && outcomes[1] > 100, "both outcomes are exercised: " + outcomes[0] + " loaded, "
                + outcomes[1] + " refused");
    }

    private static void touchEveryGetter(MirrorConfig c) {
        c.describe();
        c.enabled();
        c.nodes();
        if (c.enabled()) {
            c.writeMode();
        }
        c.serializer();
        c.replicas();
        c.mode();
        c.route();
        c.lock();
        c.lockWaitMillis();
        c.prefix();
        c.timeoutMillis();
        c.queueCapacity();
        c.exportRate();
        c.logLevel();
        c.secrets();
        c.encrypt();
        c.username();
        c.password();
        c.classPatterns(Option.CLASSES_ALLOW);
        c.classPatterns(Option.CLASSES_DENY);
        c.maxSize();
        c.compressAbove();
        for (Option o : Option.values()) {
            c.value(o);
            c.sourceOf(o);
        }
        Collections.emptyList();
    }
}
