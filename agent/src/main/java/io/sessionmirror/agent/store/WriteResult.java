package io.sessionmirror.agent.store;

/** How a conditional write ended on the nodes that answered. */
public enum WriteResult {
    /** Stored (or already there) on every node that answered. */
    STORED,
    /** At least one node holds something newer, or a tombstone: this value was not the newest. */
    REFUSED,
    /**
     * Stored merged with a copy another server wrote meanwhile ({@link CopyOrder.Decision#MERGE}) on at least one
     * node: this value's changes landed, but the stored copy now holds more than the writer's local copy.
     */
    MERGED
}
