package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.PayloadSeal;
import java.security.GeneralSecurityException;

/**
 * The sealing step of the codec. With a secret configured, every payload written is signed (and, if
 * asked, its body encrypted), and nothing read is used unless its signature over the Memcached key and
 * the bytes verifies: a signed payload ends with an HMAC-SHA256 tag over the key and every byte before the
 * tag; an encrypted body is the (maybe compressed) graph under AES-GCM. Without a secret, payloads are
 * written unsigned and an encrypted one cannot be read.
 */
final class Sealing {

    private final PayloadSeal seal;

    /** @param seal null for neither signing nor encryption */
    Sealing(PayloadSeal seal) {
        this.seal = seal;
    }

    // ---------------------------------------------------------------- writing

    /** The flags this step adds to a payload written now. */
    int flags() {
        if (seal == null) {
            return 0;
        }
        return PayloadHeader.SIGNED | (seal.encrypts() ? PayloadHeader.ENCRYPTED : 0);
    }

    /** The key id written in the header of a sealed payload. */
    int keyId() {
        return seal == null ? 0 : seal.keyId();
    }

    /** The bytes left at the end of a payload for its signature. */
    int tagLength() {
        return seal == null ? 0 : PayloadSeal.TAG_LENGTH;
    }

    /** The body as stored: encrypted when the seal encrypts. */
    byte[] encrypt(String storeKey, byte[] body) {
        return seal != null && seal.encrypts() ? seal.encrypt(storeKey, body) : body;
    }

    /** Fills the tag at the end of a payload laid out with {@link #tagLength()} bytes for it. */
    void sign(String storeKey, byte[] payload) {
        if (seal != null) {
            seal.sign(storeKey, payload);
        }
    }

    // ---------------------------------------------------------------- reading

    /** With a secret, only the sealed format is read: an older format carries no signature. */
    void requireSealed(byte format) throws RejectedPayloadException {
        if (seal != null && format != PayloadHeader.SEALED_FORMAT && format != PayloadHeader.SECTIONS_FORMAT) {
            throw new RejectedPayloadException("not signed, but a secret is set (written by a server without the"
                    + " secret, or planted)");
        }
    }

    /** Refuses a sealed payload whose signature this server cannot verify, or whose body it cannot decrypt. */
    void verify(PayloadHeader header, String storeKey, byte[] payload) throws CorruptPayloadException {
        if (!header.sealable()) {
            return;
        }
        if (seal != null) {
            if (!header.has(PayloadHeader.SIGNED)) {
                throw new RejectedPayloadException("not signed, but a secret is set (written by a server without"
                        + " the secret, or planted)");
            }
            if (!seal.knows(header.keyId)) {
                throw new RejectedPayloadException("signed with a secret this server does not have (key id "
                        + Integer.toHexString(header.keyId) + "); list it in 'secret' while rotating");
            }
            if (payload.length < header.bodyAt() + 4 + PayloadSeal.TAG_LENGTH
                    || !seal.verify(header.keyId, storeKey, payload)) {
                throw new RejectedPayloadException("signature does not match: the value was changed, truncated, or"
                        + " moved from another session's key");
            }
        } else if (header.has(PayloadHeader.ENCRYPTED)) {
            throw new CorruptPayloadException("encrypted, and this server has no secret to decrypt it");
        }
    }

    /** The body of a verified payload, decrypted when it was encrypted. */
    byte[] decrypt(PayloadHeader header, String storeKey, byte[] body) throws RejectedPayloadException {
        if (!header.has(PayloadHeader.ENCRYPTED)) {
            return body;
        }
        try {
            return seal.decrypt(header.keyId, storeKey, body);
        } catch (GeneralSecurityException e) {
            throw new RejectedPayloadException("cannot be decrypted with the configured secret (" + e + ")");
        }
    }
}
