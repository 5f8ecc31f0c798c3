package io.sessionmirror.agent.store;

/** How a conditional write ended on the nodes that answered. */
public enum WriteResult {
    /** Stored (or already there) on every node that answered. */
    STORED,
    /** At least one node holds something newer, or a tombstone: this value was not the newest. */
    REFUSED
}
