package io.sessionmirror.agent.codec;

import java.io.IOException;
import java.security.Principal;
import java.util.Collections;
import java.util.Map;

/**
 * Reads the body of formats 1 to 3: one serialized graph {@code Object[]{principal, attributes}}, all or
 * nothing. No longer written (format 5 is), still read so a cluster upgrades in place.
 */
final class LegacyGraph {

    private LegacyGraph() {
    }

    static Decoded read(Envelope e, Serializer reader, ClassLoader loader, String id)
            throws IOException, ClassNotFoundException {
        PayloadHeader header = e.header;
        Object root = reader.deserialize(e.plain, loader);
        if (!(root instanceof Object[]) || ((Object[]) root).length != 2 || !(((Object[]) root)[1] instanceof Map)) {
            throw new CorruptPayloadException("attribute graph has an unexpected shape");
        }
        Object[] parts = (Object[]) root;
        if (parts[0] != null && !(parts[0] instanceof Principal)) {
            throw new CorruptPayloadException("stored principal is not a java.security.Principal");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) parts[1];
        for (Object name : attributes.keySet()) {
            if (!(name instanceof String)) {
                throw new CorruptPayloadException("an attribute name is not a String");
            }
        }
        SessionData data = new SessionData(id, header.creationTime, header.maxInactive, header.authType,
                (Principal) parts[0], attributes);
        return new Decoded(data, hash(e.plain, header.maxInactive, header.authType), header.writeId, header.version,
                Lineage.EMPTY, Collections.emptyList(), header.format);
    }

    /** The change hash of formats 1-3: the graph, the timeout and the auth type. */
    static long hash(byte[] graph, int maxInactive, String authType) {
        long h = ChangeHash.mix(ChangeHash.of(graph), maxInactive);
        return authType == null ? h : ChangeHash.mix(h, authType.hashCode());
    }
}
