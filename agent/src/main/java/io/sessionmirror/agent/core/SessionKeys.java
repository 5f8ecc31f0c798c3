package io.sessionmirror.agent.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Builds Memcached keys: {@code <prefix>:<host>:<context path>:<session id>}. The host is the
 * server's virtual host name, or {@code _} for the default host, so a cluster of differently built
 * servers agrees on keys; the context path is {@code /} for the root web app. Route suffixes
 * ({@code .jvmRoute}, Jetty's {@code .node0}) are not part of the key: they say which server holds a
 * session, not which session it is. Anything outside printable ASCII, and {@code %} and {@code :}, is
 * percent-encoded (session ids come from clients and must not inject protocol text). Keys longer than
 * Memcached's 250-byte limit are replaced by {@code <prefix>:#<sha-256 of the full key>}.
 */
public final class SessionKeys {

    public static final int MAX_KEY_LENGTH = 250;
    public static final String DEFAULT_HOST = "_";

    private final String prefix;

    public SessionKeys(String prefix) {
        this.prefix = prefix;
    }

    /** The part of a key shared by every session of one web app. */
    public String namespace(String host, String contextPath) {
        String h = host == null || host.isEmpty() ? DEFAULT_HOST : host;
        String path = contextPath == null || contextPath.isEmpty() ? "/" : contextPath;
        return prefix + ":" + encode(h) + ":" + encode(path) + ":";
    }

    public String key(String namespace, String sessionId) {
        String key = namespace + encode(stripRoute(sessionId));
        if (key.length() <= MAX_KEY_LENGTH) {
            return key;
        }
        return prefix + ":#" + sha256(key);
    }

    /** The key of a session's lock (non-sticky mode), beside the session's own key. */
    public String lockKey(String sessionKey) {
        String k = sessionKey + ":lock";
        return k.length() <= MAX_KEY_LENGTH ? k : prefix + ":#" + sha256(k);
    }

    /** The session id without a route suffix: everything before the first dot. */
    public static String stripRoute(String sessionId) {
        int dot = sessionId.indexOf('.');
        return dot < 0 ? sessionId : sessionId.substring(0, dot);
    }

    static String encode(String s) {
        StringBuilder out = null;
        byte[] utf8 = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x20 && c < 0x7f && c != '%' && c != ':') {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (c < 0x80) {
                appendHex(out, c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                for (byte b : utf8) {
                    appendHex(out, b & 0xff);
                }
                i = end - 1;
            }
        }
        return out == null ? s : out.toString();
    }

    private static void appendHex(StringBuilder out, int b) {
        out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder out = new StringBuilder(64);
            for (byte b : d) {
                out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return out.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
