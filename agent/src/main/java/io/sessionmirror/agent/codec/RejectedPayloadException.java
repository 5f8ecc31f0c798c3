package io.sessionmirror.agent.codec;

/**
 * A stored value refused for safety, before anything in it was deserialized: not signed although a
 * secret is set, signed with an unknown secret, a signature that does not match (tampered, truncated or
 * moved from another key), or a class the deserialization filter denies.
 */
public final class RejectedPayloadException extends CorruptPayloadException {
    private static final long serialVersionUID = 1L;

    RejectedPayloadException(String message) {
        super(message);
    }
}
