package io.sessionmirror.agent.codec;

import java.io.IOException;

/** A stored value that is not a session payload of ours (corrupt, truncated or foreign). */
public class CorruptPayloadException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptPayloadException(String message) {
        super(message);
    }

    CorruptPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
