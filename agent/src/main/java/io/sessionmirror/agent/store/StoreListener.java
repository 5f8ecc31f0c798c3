package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;

/** Told when a node answers again after an outage, or came back from a restart. */
public interface StoreListener {
    /**
     * @param emptied the node restarted, is new, or missed more than could be remembered: every session
     *                that belongs on it must be written there again
     */
    void nodeRecovered(NodeAddress node, boolean emptied);
}
