package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.ClassFilter;

/**
 * The frame around a body, for every format: opening checks the header, the signature (before anything
 * after the header is trusted), decrypts and inflates; closing a format-5 body deflates it when worth it,
 * encrypts and signs it, in that order. Nothing here deserializes.
 */
final class Envelope {

    final PayloadHeader header;
    /** The body as written: the attribute graph (formats 1-3) or the sections (format 5). */
    final byte[] plain;

    private Envelope(PayloadHeader header, byte[] plain) {
        this.header = header;
        this.plain = plain;
    }

    // The checks run in this order so that a value is refused for the first thing wrong with it, and a
    // signature is verified before anything after the header is trusted.
    static Envelope open(Sealing sealing, byte[] payload, String storeKey) throws CorruptPayloadException {
        byte format = PayloadHeader.formatOf(payload);
        sealing.requireSealed(format);
        PayloadHeader header = PayloadHeader.read(payload, format);
        sealing.verify(header, storeKey, payload);
        byte[] body = sealing.decrypt(header, storeKey, header.body(payload));
        if (header.has(PayloadHeader.COMPRESSED)) {
            body = Compression.inflate(body);
        }
        return new Envelope(header, body);
    }

    /** A format-5 payload around {@code sections}, compressed, encrypted and signed as configured. */
    static byte[] close(Sealing sealing, Compression compression, byte serializerId, long writeId, long parentWriteId,
                        long version, long creationTime, int maxInactive, String authType, byte[] writer,
                        byte[] sections, String storeKey) {
        int flags = 0;
        byte[] body = compression.deflateIfWorth(sections);
        if (body != null) {
            flags |= PayloadHeader.COMPRESSED;
        } else {
            body = sections;
        }
        flags |= sealing.flags();
        body = sealing.encrypt(storeKey, body);
        byte[] payload = PayloadHeader.writeSections(serializerId, writeId, parentWriteId, version,
                System.currentTimeMillis(), creationTime, maxInactive, authType, flags, sealing.keyId(), writer, body,
                sealing.tagLength());
        sealing.sign(storeKey, payload);
        return payload;
    }

    /** The denial of the class filter somewhere in {@code t}'s causes, or null: it refuses the whole copy. */
    static ClassFilter.RejectedClassException rejection(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof ClassFilter.RejectedClassException) {
                return (ClassFilter.RejectedClassException) t;
            }
        }
        return null;
    }
}
