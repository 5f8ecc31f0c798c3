package io.sessionmirror.agent.store;

/**
 * A conditional write on its way to its nodes, started by {@link SessionStore#startSet} or
 * {@link SessionStore#startTombstone}. Several started writes travel together: the writer starts a batch,
 * {@link #advance advances} each, then {@link #await awaits} each.
 */
public interface PendingWrite {

    /** Waits for what the write must read first and starts the writes it allows, without waiting for those. */
    void advance();

    /** Waits for the answers, at most until the store's timeout; fails only when no node answered. */
    WriteResult await() throws StoreException;
}
