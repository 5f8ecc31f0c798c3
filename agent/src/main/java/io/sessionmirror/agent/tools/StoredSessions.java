package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.store.redis.RedisKeyScan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the stored sessions of one web app: the keys under its namespace. Memcached has no key listing, so each
 * node is walked with {@code lru_crawler metadump all}; Redis is walked with {@code SCAN MATCH <namespace>*}. Both
 * are samples of what is stored at that moment, not a consistent snapshot; keys longer than Memcached's limit are
 * stored under a hash ({@code <prefix>:#...}) and are not found by namespace.
 */
final class StoredSessions {

    /** The keys found (each once, at most the sample size), and what the walk said per node. */
    final Set<String> keys = new LinkedHashSet<>();
    final List<String> notes = new ArrayList<>();
    /** Nodes that could not be walked. */
    int failedNodes;
    int walkedNodes;

    private StoredSessions() {
    }

    /** How the sessions were found and what that cannot see, for the output and the docs. */
    static String method(boolean redis) {
        return redis
                ? "Sessions are enumerated with SCAN MATCH <namespace>* COUNT 1000 (on every master of a Redis Cluster):"
                + " sessions written during the walk may be missed, a key may be returned twice (counted once), and"
                + " only the first N found are read."
                : "Sessions are enumerated with 'lru_crawler metadump all' on every node: a best-effort walk that passes"
                + " over items in use at that moment; it needs memcached 1.4.31 or later with the LRU crawler enabled,"
                + " reached directly (twemproxy, mcrouter and ElastiCache Serverless do not pass it on); only the"
                + " first N found are read.";
    }

    static StoredSessions find(ToolContext ctx, int limit) throws IOException {
        StoredSessions found = new StoredSessions();
        RedisUri redis = ctx.config.redis();
        if (redis != null) {
            boolean inUri = redis.password() != null;
            try {
                int n = RedisKeyScan.scan(redis, inUri ? redis.user() : ctx.config.username(),
                        inUri ? redis.password() : ctx.config.password(), ctx.timeoutMillis(), ctx.config.tls(),
                        ctx.namespace, limit, found.keys);
                found.walkedNodes = 1;
                found.notes.add(redis + ": " + n + " key(s) of this web app seen");
            } catch (io.sessionmirror.agent.store.StoreException | RuntimeException e) {
                found.failedNodes = 1;
                found.notes.add(redis + ": SCAN failed (" + e.getMessage() + ")");
            }
            return found;
        }
        for (NodeAddress node : ctx.memcachedNodes()) {
            try {
                int n = MemcachedKeyDump.dump(node, ctx.sockets(), ctx.timeoutMillis(), ctx.namespace, limit, found.keys);
                found.walkedNodes++;
                found.notes.add("memcached " + node + ": " + n + " key(s) of this web app");
            } catch (IOException e) {
                found.failedNodes++;
                found.notes.add("memcached " + node + ": not walked (" + e.getMessage() + ")");
            }
        }
        return found;
    }
}
