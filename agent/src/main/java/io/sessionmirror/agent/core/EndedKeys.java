package io.sessionmirror.agent.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys of sessions invalidated (or moved to a new id) here, so a lookup cannot bring one back from a
 * stored copy whose delete is still queued: not in the same request, not in a concurrent one. A key is
 * forgotten once its tombstone is stored (by the stamp it was remembered with), or after a minute.
 */
final class EndedKeys {

    private static final long GONE_MEMORY_MILLIS = 60_000;
    private static final int GONE_SWEEP_ABOVE = 10_000;

    private final ConcurrentHashMap<String, Long> gone = new ConcurrentHashMap<>();

    /** Whether the session of {@code key} ended here and its tombstone may not be stored yet. */
    boolean endedRecently(String key, long now) {
        Long goneAt = gone.get(key);
        return goneAt != null && now - goneAt < GONE_MEMORY_MILLIS;
    }

    /** Remembers a key whose tombstone is on its way; returns the stamp to forget it by once it is stored. */
    Long ending(String key) {
        long now = System.currentTimeMillis();
        if (gone.size() >= GONE_SWEEP_ABOVE) {
            // Only while Memcached fails for a while (a tombstone is stored within moments otherwise). Entries
            // past their life go; never the whole map, so a flood of logouts cannot wipe what protects others.
            gone.values().removeIf(t -> now - t >= GONE_MEMORY_MILLIS);
        }
        Long stamp = now;
        gone.put(key, stamp);
        return stamp;
    }

    /**
     * The tombstone remembered with {@code stamp} is stored: the key is forgotten, unless it ended again since
     * (a newer stamp stays).
     */
    void stored(String key, Long stamp) {
        gone.remove(key, stamp);
    }
}
