package io.sessionmirror.agent.store.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The server-side halves of the store's compare-and-act steps, as Lua scripts: Redis runs a script atomically,
 * so nothing lands between its compare and its write. The order of session copies is decided in Java (the
 * {@code CopyOrder} reads a payload header no script should parse); the script only checks that what was read
 * is still what is stored, by its SHA-1 ({@code redis.sha1hex}), and writes. Sent with EVAL each time (the
 * server caches the compiled script by its hash): a restarted or failed-over server never answers NOSCRIPT.
 */
final class RedisScripts {

    private RedisScripts() {
    }

    /**
     * KEYS[1] the key; ARGV[1] the SHA-1 (hex) of the value read, or '' when the key was absent; ARGV[2] the new
     * value; ARGV[3] its lifetime in milliseconds ('0': none). 1 when written, 0 when the key changed since.
     */
    static final String SET_IF_UNCHANGED = ""
            + "local cur = redis.call('GET', KEYS[1])\n"
            + "if cur then\n"
            + "  if redis.sha1hex(cur) ~= ARGV[1] then return 0 end\n"
            + "elseif ARGV[1] ~= '' then return 0 end\n"
            + "if ARGV[3] ~= '0' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
            + "else redis.call('SET', KEYS[1], ARGV[2]) end\n"
            + "return 1";

    /** KEYS[1]; ARGV[1] lifetime in ms ('0': none). 1 when the key exists (its lifetime now that), else 0. */
    static final String TOUCH = ""
            + "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
            + "if ARGV[1] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) else redis.call('PERSIST', KEYS[1]) end\n"
            + "return 1";

    /** KEYS[1] the lock; ARGV[1] the token; ARGV[2] ms. 1 when taken now or already held by this token. */
    static final String LOCK = ""
            + "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end\n"
            + "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end\n"
            + "return 0";

    /** KEYS[1]; ARGV[1] the token; ARGV[2] ms. Compare-and-pexpire: 1 when the token still holds it. */
    static final String RENEW = ""
            + "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end\n"
            + "return 0";

    /** KEYS[1]; ARGV[1] the token. Compare-and-delete: 1 when the token held it (and it is now free). */
    static final String UNLOCK = ""
            + "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end\n"
            + "return 0";

    /** What SET_IF_UNCHANGED compares with: the SHA-1 of {@code stored} in lower-case hex, '' for absent. */
    static byte[] fingerprint(byte[] stored) {
        if (stored == null) {
            return new byte[0];
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(stored);
            byte[] hex = new byte[d.length * 2];
            for (int i = 0; i < d.length; i++) {
                hex[2 * i] = HEX[(d[i] >> 4) & 0xf];
                hex[2 * i + 1] = HEX[d[i] & 0xf];
            }
            return hex;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JDK", e);
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** A lifetime in seconds as the scripts take it: milliseconds, '0' for none. */
    static byte[] millis(int seconds) {
        return ascii(seconds <= 0 ? "0" : String.valueOf(seconds * 1000L));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
