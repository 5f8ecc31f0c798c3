package io.sessionmirror.agent.store.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.config.TlsSettings;
import io.sessionmirror.agent.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Walks the keys under a prefix with {@code SCAN MATCH <prefix>* COUNT 1000}, for the command-line tools (never on
 * a request thread). Lettuce continues a cluster's scan from master to master. SCAN guarantees only that a key
 * present for the whole walk is returned at least once: a key may come twice (the set drops it) and one written
 * during the walk may be missed.
 */
public final class RedisKeyScan {

    private RedisKeyScan() {
    }

    /**
     * Adds to {@code found} (up to {@code limit} in all) the keys under {@code prefix} that contain no further
     * {@code :} (sessions, not their locks), and returns how many such keys the walk saw before it stopped.
     */
    public static int scan(RedisUri uri, String user, String password, long timeoutMillis, TlsSettings tls, String prefix,
                           int limit, Set<String> found) throws StoreException {
        RedisLink link = RedisLink.open(uri, user, password, timeoutMillis, tls);
        try {
            ScanArgs args = ScanArgs.Builder.matches(glob(prefix) + "*").limit(1000);
            int seen = 0;
            KeyScanCursor<byte[]> cursor = RedisCalls.await(link.commands.scan(args), deadline(timeoutMillis), "SCAN");
            while (true) {
                for (byte[] k : cursor.getKeys()) {
                    String key = new String(k, StandardCharsets.UTF_8);
                    if (key.indexOf(':', prefix.length()) < 0) {
                        seen++;
                        if (found.size() < limit) {
                            found.add(key);
                        }
                    }
                }
                if (cursor.isFinished() || found.size() >= limit) {
                    return seen;
                }
                cursor = RedisCalls.await(link.commands.scan(ScanCursor.of(cursor.getCursor()), args),
                        deadline(timeoutMillis), "SCAN");
            }
        } finally {
            link.close(0);
        }
    }

    private static long deadline(long timeoutMillis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** The prefix as a SCAN pattern: glob characters in it match only themselves. */
    static String glob(String prefix) {
        return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
