package io.sessionmirror.agent.core;

import java.io.IOException;
import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.WeakHashMap;
import org.nustaq.serialization.FSTConfiguration;

/**
 * FST: about five times faster than JDK serialization and a third smaller. Needs deep reflection into
 * java.base, which the agent grants to its own class loader only (see ModuleOpener). One configuration
 * per web app class loader, since FST resolves classes through the configuration's loader.
 */
public final class FstSerializer implements Serializer {

    public static final byte ID = 2;

    // A configuration holds its class loader strongly; held softly here, an undeployed web app's loader
    // can still be collected (at the latest under memory pressure) instead of leaking.
    private final Map<ClassLoader, SoftReference<FSTConfiguration>> configurations = new WeakHashMap<>();
    private final ClassFilter filter;

    public FstSerializer() {
        this(ClassFilter.DEFAULT);
    }

    public FstSerializer(ClassFilter filter) {
        this.filter = filter;
    }

    private FSTConfiguration create(ClassLoader loader) {
        FSTConfiguration c = FSTConfiguration.createDefaultConfiguration();
        // FST resolves every class name it reads through this loader: the filtered view refuses gadget classes
        // before they are loaded, let alone instantiated.
        c.setClassLoader(new ClassFilter.FilteringClassLoader(loader, filter));
        // Serializable only: a class that does not opt in to serialization is reported, not written.
        c.setForceSerializable(false);
        return c;
    }

    private FSTConfiguration configuration(ClassLoader loader) {
        ClassLoader key = loader == null ? FstSerializer.class.getClassLoader() : loader;
        synchronized (configurations) {
            SoftReference<FSTConfiguration> ref = configurations.get(key);
            FSTConfiguration c = ref == null ? null : ref.get();
            if (c == null) {
                c = create(key);
                configurations.put(key, new SoftReference<>(c));
            }
            return c;
        }
    }

    @Override
    public byte id() {
        return ID;
    }

    @Override
    public String name() {
        return "fst";
    }

    @Override
    public byte[] serialize(Object root, ClassLoader loader) throws IOException {
        try {
            return configuration(loader).asByteArray(root);
        } catch (RuntimeException e) {
            throw asIo(e);
        }
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
        try {
            return configuration(loader).asObject(bytes);
        } catch (Exception e) { // FST also throws checked IOExceptions it does not declare
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ClassFilter.DeniedClassNotFoundException) {
                    throw new ClassFilter.RejectedClassException(t.getMessage());
                }
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ClassNotFoundException) {
                    throw (ClassNotFoundException) t;
                }
            }
            throw e instanceof IOException ? (IOException) e : asIo(e);
        } catch (StackOverflowError e) {
            throw new java.io.InvalidObjectException("the attribute graph is nested too deeply to read");
        } catch (OutOfMemoryError e) {
            // Corrupt bytes can claim an array of billions of elements; the failed allocation took nothing.
            throw new java.io.InvalidObjectException("the attribute graph claims more memory than the heap has");
        }
    }

    private static IOException asIo(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IOException) {
            return (IOException) root;
        }
        return new IOException(root.toString(), e);
    }
}
