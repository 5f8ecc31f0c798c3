package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Running out of memory while serializing says nothing about the attribute: it must not be reported as
 * "cannot be serialized" nor left out of the copy, but fail this write with a failure of its own.
 */
class EncodeOutOfMemoryTest {

    static Stream<Serializer> serializers() {
        return Stream.of(new FstSerializer(), new JavaSerializer());
    }

    /** Each serializer, with the error thrown as it is and wrapped in an IOException. */
    static Stream<Arguments> serializersAndWrapping() {
        return serializers().flatMap(s -> Stream.of(Arguments.of(s, false), Arguments.of(s, true)));
    }

    /** Runs out of memory while it is written, as long as {@link #starving} says so. */
    static final class Hungry implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean starving;
        /** Whether the error comes wrapped, as from a library that catches it and throws an IOException. */
        static volatile boolean wrapped;
        final String label;

        Hungry(String label) {
            this.label = label;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            if (starving) {
                OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
                if (wrapped) {
                    throw new IOException("buffer could not grow", oom);
                }
                throw oom;
            }
            out.defaultWriteObject();
        }
    }

    static final class NotSerializable {
    }

    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final Object inner;

        Holder(Object inner) {
            this.inner = inner;
        }
    }

    private static SessionData session(Map<String, Object> attrs) {
        return new SessionData("ID", 1L, 60, null, null, attrs);
    }

    private static ClassLoader loader() {
        return EncodeOutOfMemoryTest.class.getClassLoader();
    }

    @AfterEach
    void fed() {
        Hungry.starving = false;
    }

    private static void assertOutOfMemory(SessionCodec codec, Map<String, Object> attrs, boolean wrapped) {
        Hungry.starving = true;
        Hungry.wrapped = wrapped;
        // Caught as Throwable: an OutOfMemoryError escaping to JUnit would abort the whole run.
        Throwable thrown;
        try {
            Encoded enc = codec.encode(session(attrs), loader(), 1, "key");
            thrown = new AssertionError("encoded, leaving out " + enc.skipped);
        } catch (Throwable t) {
            thrown = t;
        }
        SerializationOutOfMemoryException e = assertInstanceOf(SerializationOutOfMemoryException.class, thrown,
                String.valueOf(thrown));
        assertTrue(e.getMessage().contains("ran out of memory"), e.getMessage());
        assertInstanceOf(OutOfMemoryError.class, e.getCause());
        Hungry.starving = false;
    }

    @ParameterizedTest
    @MethodSource("serializersAndWrapping")
    void runningOutOfMemoryFailsTheWriteAndDropsNoAttribute(Serializer serializer, boolean wrapped) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("cart", new Hungry("cart"));
        attrs.put("user", "alice");
        assertOutOfMemory(codec, attrs, wrapped);

        // Once memory is back, the very same session is written whole.
        Encoded enc = codec.encode(session(attrs), loader(), 1, "key");
        assertEquals(0, enc.skipped.size(), enc.skipped.toString());
        assertEquals("cart", ((Hungry) codec.decode(enc.payload, loader(), "ID", "").data.attributes().get("cart")).label);
    }

    @ParameterizedTest
    @MethodSource("serializersAndWrapping")
    void runningOutOfMemoryWhileLookingForTheBadAttributeIsNotABadAttribute(Serializer serializer, boolean wrapped) {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Map<String, Object> attrs = new HashMap<>();
        // Not serializable deep inside: the codec serializes the attributes one by one to find it.
        attrs.put("broken", new Holder(new NotSerializable()));
        attrs.put("cart", new Hungry("cart"));
        assertOutOfMemory(codec, attrs, wrapped);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void anAttributeTooDeepToSerializeIsLeftOutAlone(Serializer serializer) throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, serializer);
        Object[] deep = new Object[1];
        Object[] at = deep;
        for (int i = 0; i < 1_000_000; i++) {
            Object[] next = new Object[1];
            at[0] = next;
            at = next;
        }
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("deep", deep);
        attrs.put("user", "alice");
        Encoded enc;
        try {
            enc = codec.encode(session(attrs), loader(), 1, "key");
        } catch (StackOverflowError e) {
            throw new AssertionError("the stack overflow escaped encode", e);
        }
        assertEquals(1, enc.skipped.size(), enc.skipped.toString());
        assertEquals("deep", enc.skipped.get(0).name);
        assertTrue(enc.skipped.get(0).reason.contains("too deeply"), enc.skipped.get(0).reason);
        assertEquals("alice", codec.decode(enc.payload, loader(), "ID", "").data.attributes().get("user"));
    }
}
