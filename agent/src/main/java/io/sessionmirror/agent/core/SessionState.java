package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.Decoded;
import java.util.concurrent.atomic.AtomicBoolean;

/** What the agent remembers about one live session; kept in a weak side table, never in the session. */
final class SessionState {

    /** An attribute was set or removed since the last end of request. */
    final AtomicBoolean changed = new AtomicBoolean();
    /** A mutable attribute value was handed to the application since the last end of request. */
    final AtomicBoolean mutableRead = new AtomicBoolean();

    /** Change hash of what was last queued or written; 0 means "must be written". */
    volatile long lastHash;
    /** Version of the stored copy this server last wrote or loaded (0: never stored). */
    volatile long version;
    /** Version of the last copy Memcached acknowledged from this server, or loaded (0: none yet). */
    volatile long storedVersion;
    /** Write id of the stored copy this server last wrote or loaded. */
    volatile long knownWriteId;
    /** When the stored copy's expiry was last extended (write or touch), epoch millis. */
    volatile long lastRefresh;

    /** Invalidated or timed out here: its tombstone is on its way, and nothing of it is written any more. */
    volatile boolean ended;
    /**
     * Memcached refused a write of it as older than what it holds (or the session ended elsewhere): the next
     * lookup takes the stored copy instead of this one.
     */
    volatile boolean stale;

    /**
     * Sticky mode: until then (epoch millis; 0 = not at all) every lookup checks the stored copy: the session
     * was just taken over from another server, which may still be finishing requests of it.
     */
    volatile long verifyUntil;

    /** The session's web app, looked up once: a session never moves between web apps. */
    volatile WebApp app;

    /** The key for the id it was computed from, cached: ids rarely change. */
    private volatile String keyFor;
    private volatile String key;

    /** The session's content now is the stored copy {@code d}: remember it as what Memcached holds. */
    void loaded(Decoded d) {
        lastHash = d.hash;
        knownWriteId = d.writeId;
        version = d.version;
        storedVersion = d.version;
        lastRefresh = System.currentTimeMillis();
        stale = false;
    }

    String key(SessionKeys keys, WebApp app, String id) {
        if (!id.equals(keyFor)) {
            key = keys.key(app.namespace(), id);
            keyFor = id;
        }
        return key;
    }
}
