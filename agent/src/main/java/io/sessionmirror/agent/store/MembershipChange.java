package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which nodes a new node list adds and removes, in the order the lists give them. */
final class MembershipChange {

    final List<NodeAddress> added;
    final List<NodeAddress> removed;

    private MembershipChange(List<NodeAddress> added, List<NodeAddress> removed) {
        this.added = Collections.unmodifiableList(added);
        this.removed = Collections.unmodifiableList(removed);
    }

    static MembershipChange of(List<NodeAddress> before, List<NodeAddress> after) {
        Set<NodeAddress> was = new LinkedHashSet<>(before);
        Set<NodeAddress> is = new LinkedHashSet<>(after);
        List<NodeAddress> added = new ArrayList<>();
        for (NodeAddress a : is) {
            if (!was.contains(a)) {
                added.add(a);
            }
        }
        List<NodeAddress> removed = new ArrayList<>();
        for (NodeAddress a : was) {
            if (!is.contains(a)) {
                removed.add(a);
            }
        }
        return new MembershipChange(added, removed);
    }

    boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty();
    }
}
