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
