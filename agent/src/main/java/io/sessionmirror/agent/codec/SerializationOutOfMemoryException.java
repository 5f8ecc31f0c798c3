package io.sessionmirror.agent.codec;

import java.io.IOException;

/**
 * The heap ran out while a session was being serialized: this write is abandoned, and nothing is said about
 * the session's attributes. Unlike an attribute that cannot be serialized, none is left out of the copy
 * because of it (a later write, with memory to spare, stores the session whole). Thrown by
 * {@link SessionCodec#encode}; an IOException, so a caller that does not single it out still counts it as a
 * failed write instead of letting an OutOfMemoryError escape the request.
 */
public final class SerializationOutOfMemoryException extends IOException {
    private static final long serialVersionUID = 1L;

    SerializationOutOfMemoryException(OutOfMemoryError cause) {
        super("ran out of memory while serializing the session (" + cause.getMessage() + "); not written this time",
                cause);
    }

    /** The OutOfMemoryError that {@code t} is or was caused by (serializers wrap what they catch), or null. */
    static OutOfMemoryError find(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return (OutOfMemoryError) t;
            }
        }
        return null;
    }

    /** Rethrows {@code t} as this exception when it comes from running out of memory. */
    static void rethrowIfOutOfMemory(Throwable t) throws SerializationOutOfMemoryException {
        OutOfMemoryError oom = find(t);
        if (oom != null) {
            throw new SerializationOutOfMemoryException(oom);
        }
    }
}
