package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.ClassFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/** JDK serialization: slower and larger than FST, but needs no module access at all. */
public final class JavaSerializer implements Serializer {

    public static final byte ID = 1;
    /** Deeper graphs than this are refused rather than risking the request thread's stack. */
    static final long MAX_DEPTH = 2_000;

    private final ClassFilter filter;

    public JavaSerializer() {
        this(ClassFilter.DEFAULT);
    }

    public JavaSerializer(ClassFilter filter) {
        this.filter = filter;
    }

    @Override
    public byte id() {
        return ID;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public byte[] serialize(Object root, ClassLoader loader) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(root);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
        try (LoaderObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader, filter)) {
            // An array cannot have more elements than the stream has bytes (each takes at least one): a larger
            // length is a lie that would only exhaust memory.
            long maxArray = bytes.length;
            in.setObjectInputFilter(info -> {
                if (info.arrayLength() > maxArray || info.depth() > MAX_DEPTH) {
                    return ObjectInputFilter.Status.REJECTED;
                }
                return ObjectInputFilter.Status.UNDECIDED;
            });
            return in.readObject();
        } catch (StackOverflowError e) {
            // The error is kept as the cause: a format-5 decode fails whole for it, not just this attribute.
            throw (IOException) new java.io.InvalidObjectException("the attribute graph is nested too deeply to read")
                    .initCause(e);
        } catch (OutOfMemoryError e) {
            // A corrupt length asked for more than the heap has; the failed allocation itself took nothing.
            throw (IOException) new java.io.InvalidObjectException("the attribute graph claims more memory than the"
                    + " heap has").initCause(e);
        }
    }

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;
        private final ClassFilter filter;

        LoaderObjectInputStream(InputStream in, ClassLoader loader, ClassFilter filter) throws IOException {
            super(in);
            this.loader = loader;
            this.filter = filter;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            check(desc.getName());
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc); // primitives and arrays of them
            }
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException, ClassNotFoundException {
            check("java.lang.reflect.Proxy");
            for (String i : interfaces) {
                check(i);
            }
            return super.resolveProxyClass(interfaces);
        }

        private void check(String name) throws ClassFilter.RejectedClassException {
            String why = filter.rejection(name);
            if (why != null) {
                throw new ClassFilter.RejectedClassException(why);
            }
        }
    }
}
