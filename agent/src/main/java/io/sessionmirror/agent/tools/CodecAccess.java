package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.codec.CorruptPayloadException;
import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.DroppedAttribute;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.StoredPayload;
import java.util.ArrayList;
import java.util.List;

/** The tools' one place that reads the codec's types: a stored copy as a {@link PayloadView}, and what a decode dropped. */
final class CodecAccess {

    /** The name of the principal's section (format 5). */
    static final String PRINCIPAL = "(principal)";

    private CodecAccess() {
    }

    /**
     * The header and section table. An encrypted copy that this run cannot decrypt (no secret given) still shows
     * its header, from the fields the store itself reads without the secret.
     */
    static PayloadView describe(SessionCodec codec, byte[] stored, String key) throws CorruptPayloadException {
        StoredPayload p;
        try {
            p = codec.describe(stored, key);
        } catch (CorruptPayloadException e) {
            if (!e.getMessage().contains("no secret") && !e.getMessage().contains("does not have")) {
                throw e;
            }
            return headerOnly(stored, e.getMessage());
        }
        PayloadView v = new PayloadView();
        v.format = p.format;
        v.serializer = p.serializer;
        v.version = p.version;
        v.writeId = p.writeId;
        v.parentWriteId = p.parentWriteId;
        v.writer = p.writer;
        v.writtenAt = p.writtenAt;
        v.creationTime = p.creationTime;
        v.maxInactive = p.maxInactive;
        v.authType = p.authType;
        v.signed = p.signed;
        v.encrypted = p.encrypted;
        v.compressed = p.compressed;
        v.size = p.size;
        if (p.format < 5) {
            v.rows = null;
            v.rowsUnreadable = "format " + p.format + " stores one object graph, not one section per attribute:"
                    + " give --values to see the attributes";
            return v;
        }
        for (StoredPayload.StoredSection s : p.sections) {
            String kind = s.kind == StoredPayload.Kind.PRINCIPAL ? "principal"
                    : s.kind == StoredPayload.Kind.REMOVED ? "removed" : "attribute";
            v.rows.add(new PayloadView.Row(s.name, s.className, kind, s.stamp, s.length));
        }
        return v;
    }

    private static PayloadView headerOnly(byte[] stored, String why) {
        PayloadView v = new PayloadView();
        v.format = stored[2];
        v.serializer = "?";
        v.version = SessionCodec.versionOf(stored);
        v.writeId = SessionCodec.writeIdOf(stored);
        v.parentWriteId = SessionCodec.parentWriteIdOf(stored);
        v.writer = SessionCodec.writerOf(stored);
        v.writtenAt = SessionCodec.writtenAtOf(stored);
        v.maxInactive = SessionCodec.maxInactiveOf(stored);
        v.encrypted = why.contains("encrypted");
        v.signed = true; // sealed: an encrypted copy is always signed too
        v.size = stored.length;
        v.rows = null;
        v.rowsUnreadable = why;
        return v;
    }

    /** What a decode dropped, as (name, class, reason). */
    static List<String[]> dropped(Decoded d) {
        List<String[]> out = new ArrayList<>();
        for (DroppedAttribute a : d.dropped) {
            out.add(new String[] {a.name, a.className, a.reason});
        }
        return out;
    }

    /** Whether a refused decode is this run's missing (or wrong) secret rather than the stored copy's fault. */
    static boolean needsSecret(CorruptPayloadException e, boolean haveSecret) {
        String m = String.valueOf(e.getMessage());
        return m.contains("no secret") || (!haveSecret && m.contains("encrypted"))
                || m.contains("a secret this server does not have");
    }
}
