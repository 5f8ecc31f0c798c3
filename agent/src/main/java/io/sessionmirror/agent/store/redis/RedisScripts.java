package io.sessionmirror.agent.store.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server-side halves of the store's compare-and-act steps, as Lua scripts: Redis runs a script atomically,
 * so nothing lands between its compare and its write. The order of session copies is decided in Java (the
 * {@code CopyOrder} reads a payload header no script should parse); the script only checks that what was read
 * is still what is stored, by its SHA-1 ({@code redis.sha1hex}), and writes. Sent by its digest (EVALSHA: 40
 * bytes instead of the script's few hundred on every write); a server that does not know it yet (a restart, a
 * failover, a cluster node first asked) answers NOSCRIPT and is sent the script itself, which it then keeps.
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

    /** Every script, for loading them into a server at connect. */
    static String[] all() {
        return new String[] {SET_IF_UNCHANGED, TOUCH, LOCK, RENEW, UNLOCK};
    }

    /** Runs {@code script} by its digest, and by its text where the server answers NOSCRIPT. */
    static <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> commands, String script,
                                        ScriptOutputType type, byte[][] keys, byte[]... args) {
        CompletableFuture<T> out = new CompletableFuture<>();
        commands.<T>evalsha(DIGESTS.computeIfAbsent(script, RedisScripts::digest), type, keys, args)
                .whenComplete((v, e) -> {
                    if (e == null) {
                        out.complete(v);
                    } else if (noScript(e)) {
                        commands.<T>eval(script, type, keys, args).whenComplete((v2, e2) -> {
                            if (e2 == null) {
                                out.complete(v2);
                            } else {
                                out.completeExceptionally(e2);
                            }
                        });
                    } else {
                        out.completeExceptionally(e);
                    }
                });
        return out;
    }

    private static boolean noScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).startsWith("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static final Map<String, String> DIGESTS = new ConcurrentHashMap<>();

    private static String digest(String script) {
        return new String(fingerprint(utf8(script)), StandardCharsets.US_ASCII);
    }

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
