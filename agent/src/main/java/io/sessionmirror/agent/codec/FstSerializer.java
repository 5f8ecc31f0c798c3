package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.ClassFilter;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.nustaq.serialization.FSTClazzInfo;
import org.nustaq.serialization.FSTConfiguration;
import org.nustaq.serialization.FSTObjectInput;
import org.nustaq.serialization.FSTObjectOutput;

/**
 * FST: about five times faster than JDK serialization and a third smaller. Needs deep reflection into
 * java.base, which the agent grants to its own class loader only (see ModuleOpener). One configuration
 * per web app class loader, since FST resolves classes through the configuration's loader.
 *
 * <p>Nothing here may keep an undeployed web app's loader (and every class it loaded) alive:
 * <ul>
 * <li>A configuration holds its loader (and the classes it described) strongly, so it cannot simply be the
 *     value of a map weakly keyed by that loader. It is held strongly while its web app serializes, and
 *     only weakly once a whole sweep period went by without it: a loader that is gone is then collected at
 *     the next GC, and one still in use merely rebuilds its configuration on its next request (about a
 *     millisecond, once per idle period). A SoftReference, as before, kept it until the heap ran short.</li>
 * <li>FST's convenience calls (asByteArray, asObject) keep one stream per thread in static ThreadLocals,
 *     and that stream keeps the configuration last used on the thread: a container thread kept the last
 *     app it served. The streams are pooled per configuration here instead, and let go of what they wrote
 *     or read before going back; an output stream's own ThreadLocal is replaced too ({@link Output}).</li>
 * <li>FST's static caches keyed by Class are swept by {@link FstGlobalCaches}.</li>
 * </ul>
 * The sweep runs once per {@link #SWEEP_PERIOD_NANOS}, on whichever thread asks for a configuration then: a
 * clock read per call, and a few microseconds per period, instead of a thread of its own.
 */
public final class FstSerializer implements Serializer {

    public static final byte ID = 2;
    static final long SWEEP_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Streams kept per configuration: enough for the requests of one app that serialize at the same moment. */
    private static final int POOLED_STREAMS = 8;
    private static final int MAX_POOLED_BUFFER = 256 * 1024;
    private static final byte[] NOTHING = new byte[0];

    private final Map<ClassLoader, Slot> configurations = new WeakHashMap<>();
    private final ClassFilter filter;
    private long lastSweep = System.nanoTime();

    public FstSerializer() {
        this(ClassFilter.DEFAULT);
    }

    public FstSerializer(ClassFilter filter) {
        this.filter = filter;
    }

    /** One web app's configuration and the streams that reuse it. */
    private static final class Fst {
        final FSTConfiguration conf;
        final AtomicReferenceArray<FSTObjectOutput> outputs = new AtomicReferenceArray<>(POOLED_STREAMS);
        final AtomicReferenceArray<FSTObjectInput> inputs = new AtomicReferenceArray<>(POOLED_STREAMS);

        Fst(FSTConfiguration conf) {
            this.conf = conf;
        }

        byte[] write(Object root) throws IOException {
            FSTObjectOutput out = take(outputs);
            if (out == null) {
                out = new Output(conf);
            }
            out.writeObject(root);
            byte[] bytes = out.getCopyOfWrittenBuffer();
            // Forgets the objects written (their identities are kept for back references), then back to the pool;
            // unless its buffer grew for a large session, which the pool would keep for good. A stream that
            // failed is not reused either: its state is unknown.
            if (bytes.length <= MAX_POOLED_BUFFER) {
                out.resetForReUse((byte[]) null);
                give(outputs, out);
            }
            return bytes;
        }

        Object read(byte[] bytes) throws Exception {
            FSTObjectInput in = take(inputs);
            if (in == null) {
                in = new FSTObjectInput(conf);
            }
            in.resetForReuseUseArray(bytes);
            Object root = in.readObject();
            in.resetForReuseUseArray(NOTHING); // forgets the bytes and the objects read
            give(inputs, in);
            return root;
        }

        private static <T> T take(AtomicReferenceArray<T> pool) {
            for (int i = 0; i < POOLED_STREAMS; i++) {
                T t = pool.getAndSet(i, null);
                if (t != null) {
                    return t;
                }
            }
            return null;
        }

        private static <T> void give(AtomicReferenceArray<T> pool, T t) {
            for (int i = 0; i < POOLED_STREAMS; i++) {
                if (pool.compareAndSet(i, null, t)) {
                    return;
                }
            }
        }
    }

    /**
     * An FST output stream whose scratch array (per nesting depth, caching the class last written there, and
     * so its configuration) is its own. FST keeps it in a ThreadLocal per stream, which left an entry in the
     * map of the first thread to use the stream; once the stream was dropped, that stale entry still held
     * the configuration, and the web app's loader, until the thread happened to purge it.
     */
    private static final class Output extends FSTObjectOutput {
        Output(FSTConfiguration conf) {
            super(conf);
            FSTClazzInfo.FSTFieldInfo[] own = new FSTClazzInfo.FSTFieldInfo[20];
            refsLocal = new ThreadLocal<FSTClazzInfo.FSTFieldInfo[]>() {
                @Override
                public FSTClazzInfo.FSTFieldInfo[] get() {
                    return own;
                }
            };
        }
    }

    /** A loader's configuration: strong while in use, weak once idle for a sweep period. */
    private static final class Slot {
        Fst strong;
        WeakReference<Fst> weak;
        boolean usedSinceSweep;
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

    private Fst configuration(ClassLoader loader) {
        ClassLoader key = loader == null ? FstSerializer.class.getClassLoader() : loader;
        synchronized (configurations) {
            if (System.nanoTime() - lastSweep >= SWEEP_PERIOD_NANOS) {
                sweep();
            }
            Slot slot = configurations.get(key);
            if (slot == null) {
                slot = new Slot();
                configurations.put(key, slot);
            }
            slot.usedSinceSweep = true;
            if (slot.strong == null) {
                Fst f = slot.weak == null ? null : slot.weak.get();
                if (f == null) {
                    f = new Fst(create(key));
                    slot.weak = new WeakReference<>(f);
                }
                slot.strong = f;
            }
            return slot.strong;
        }
    }

    /**
     * Lets go of the configurations not used since the previous sweep, and of FST's cached descriptions of
     * web app classes. Runs by itself once per period; called directly by tests.
     */
    void sweep() {
        synchronized (configurations) {
            lastSweep = System.nanoTime();
            for (Slot slot : configurations.values()) {
                if (!slot.usedSinceSweep) {
                    slot.strong = null;
                }
                slot.usedSinceSweep = false;
            }
            FstGlobalCaches.forgetForeignClasses();
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
            return configuration(loader).write(root);
        } catch (RuntimeException e) {
            throw asIo(e);
        }
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
        try {
            return configuration(loader).read(bytes);
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
            // The error is kept as the cause: a format-5 decode fails whole for it, not just this attribute.
            throw (IOException) new java.io.InvalidObjectException("the attribute graph is nested too deeply to read")
                    .initCause(e);
        } catch (OutOfMemoryError e) {
            // Corrupt bytes can claim an array of billions of elements; the failed allocation took nothing.
            throw (IOException) new java.io.InvalidObjectException("the attribute graph claims more memory than the"
                    + " heap has").initCause(e);
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
