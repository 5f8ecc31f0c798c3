package io.sessionmirror.agent.codec;

import java.security.Principal;
import java.util.Map;

/**
 * A session as the core sees it, independent of any server: what is written to Memcached and what a
 * server rebuilds its session from.
 */
public final class SessionData {

    private final String id;
    private final long creationTime;
    private final int maxInactiveSeconds;
    private final String authType;
    private final Principal principal;
    private final Map<String, Object> attributes;

    public SessionData(String id, long creationTime, int maxInactiveSeconds, String authType, Principal principal,
                       Map<String, Object> attributes) {
        this.id = id;
        this.creationTime = creationTime;
        this.maxInactiveSeconds = maxInactiveSeconds;
        this.authType = authType;
        this.principal = principal;
        this.attributes = attributes;
    }

    /**
     * A copy of a server's live attribute map, made with {@code forEach}: copying through {@code entrySet()} (what
     * {@code new HashMap<>(map)} does) would leave a cached entry-set view in every session's concurrent map,
     * 16 bytes per session kept for as long as the session lives.
     */
    public static Map<String, Object> copyOf(Map<String, Object> live) {
        Map<String, Object> copy = new java.util.HashMap<>(Math.max(4, (int) (live.size() / 0.75f) + 1));
        live.forEach(copy::put);
        return copy;
    }

    public String id() {
        return id;
    }

    public long creationTime() {
        return creationTime;
    }

    /** Zero or less: never expires. */
    public int maxInactiveSeconds() {
        return maxInactiveSeconds;
    }

    public String authType() {
        return authType;
    }

    public Principal principal() {
        return principal;
    }

    public Map<String, Object> attributes() {
        return attributes;
    }
}
