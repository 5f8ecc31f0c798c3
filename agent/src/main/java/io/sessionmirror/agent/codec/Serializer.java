package io.sessionmirror.agent.codec;

import java.io.IOException;

/** Turns a session's attribute graph into bytes and back. Implementations are thread-safe. */
public interface Serializer {

    /** The id stored in every payload, so a reader knows which serializer wrote it. */
    byte id();

    String name();

    /** {@code loader} is the web app's: serializers that cache class metadata keep one cache per loader. */
    byte[] serialize(Object root, ClassLoader loader) throws IOException;

    /** Resolves classes through {@code loader}: the web app's loader, not whatever the thread has. */
    Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException;
}
