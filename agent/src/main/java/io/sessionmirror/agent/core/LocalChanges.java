package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.Lineage;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Non-sticky: a newer stored copy replaces a local session that has changes not written yet (a request on this
 * server changed it and is still running). The attributes this server changed since the copy it last loaded or
 * wrote are kept, the rest taken from the stored copy: refreshing must not undo a change its request is about to
 * write. What changed here is told by the change hash of each attribute against that copy's {@link Lineage}.
 */
final class LocalChanges {

    private LocalChanges() {
    }

    /**
     * The stored copy's content with this server's changes since {@code base} laid over it; {@code stored} itself
     * when there are none.
     */
    static SessionData keep(SessionData local, SessionData stored, Lineage base, SessionCodec codec,
                            ClassLoader loader) {
        Map<String, Object> merged = null;
        for (Map.Entry<String, Object> e : local.attributes().entrySet()) {
            String name = e.getKey();
            if (changedHere(local, name, base, codec, loader) && stored.attributes().get(name) != e.getValue()) {
                merged = merged != null ? merged : SessionData.copyOf(stored.attributes());
                merged.put(name, e.getValue());
            }
        }
        for (int i = 0; i < base.size(); i++) {
            String name = base.name(i);
            if (!base.removed(i) && !local.attributes().containsKey(name) && stored.attributes().containsKey(name)) {
                merged = merged != null ? merged : SessionData.copyOf(stored.attributes());
                merged.remove(name); // removed here since
            }
        }
        return merged == null ? stored : new SessionData(stored.id(), stored.creationTime(),
                stored.maxInactiveSeconds(), stored.authType(), stored.principal(), merged);
    }

    /**
     * The attributes another server changed between {@code base} (the copy this server last loaded or wrote) and
     * {@code stored}: set, changed, or removed there (a removal marker, or gone from a copy that named it). Null
     * when that cannot be told (either lineage is empty: a new session, or a format without sections).
     */
    static List<String> changedElsewhere(Lineage base, Lineage stored) {
        if (base.size() == 0 || stored.size() == 0) {
            return null;
        }
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            String name = stored.name(i);
            int b = base.indexOf(name);
            boolean same = b >= 0 && base.removed(b) == stored.removed(i)
                    && (stored.removed(i) || base.hash(b) == stored.hash(i));
            if (!same && !(b < 0 && stored.removed(i))) {
                changed.add(name);
            }
        }
        for (int i = 0; i < base.size(); i++) {
            if (!base.removed(i) && stored.indexOf(base.name(i)) < 0) {
                changed.add(base.name(i)); // gone without a marker (its marker fell out of the 64 kept)
            }
        }
        return changed;
    }

    /** Whether {@code name} differs from what {@code base} says of it; true when that cannot be told (kept). */
    static boolean changedHere(SessionData local, String name, Lineage base, SessionCodec codec,
                                       ClassLoader loader) {
        try {
            return !codec.unchanged(local, loader, base, Collections.singletonList(name));
        } catch (Exception | LinkageError e) {
            return true; // changing while we look, or not serializable at all: this server's own, kept
        }
    }
}
