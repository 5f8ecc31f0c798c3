package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redeployed web app's class loader must be collectable once the app is gone, although FST serialized
 * and deserialized its classes: neither FST's static caches, nor its per-thread streams, nor the agent's
 * per-loader configurations may keep it.
 */
class FstClassLoaderLeakTest {

    @TempDir
    static Path classes;

    @BeforeAll
    static void compileAnAttributeClass() throws IOException {
        Path source = classes.resolve("src/shop/Cart.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package shop;\n"
                + "public class Cart implements java.io.Serializable {\n"
                + "    private static final long serialVersionUID = 1L;\n"
                + "    public final java.util.List<String> items = new java.util.ArrayList<>();\n"
                + "    public int count;\n"
                + "    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {\n"
                + "        out.defaultWriteObject();\n"
                + "    }\n"
                + "}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK is needed to compile the attribute class");
        assertEquals(0, javac.run(null, null, null, "-d", classes.resolve("bin").toString(), source.toString()));
    }

    /** Serializes and reads back a Cart of a throwaway loader, as a web app's request would; keeps nothing. */
    private static WeakReference<ClassLoader> useAndDropAWebApp(Serializer fst) throws Exception {
        URLClassLoader app = new URLClassLoader(new URL[] {classes.resolve("bin").toUri().toURL()},
                FstClassLoaderLeakTest.class.getClassLoader());
        Class<?> cart = app.loadClass("shop.Cart");
        Object value = cart.getDeclaredConstructor().newInstance();
        cart.getField("count").setInt(value, 3);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("cart", value);
        byte[] bytes = fst.serialize(new Object[] {null, attributes}, app);
        Object[] back = (Object[]) fst.deserialize(bytes, app);
        Object read = ((Map<?, ?>) back[1]).get("cart");
        assertSame(cart, read.getClass());
        assertEquals(3, cart.getField("count").getInt(read));
        app.close();
        return new WeakReference<>(app);
    }

    /** Polls for the collection of what {@code ref} points to, for up to 20 seconds. */
    private static boolean collected(WeakReference<?> ref) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            byte[] pressure = new byte[1 << 20]; // nudges collectors that defer a cycle for an explicit gc
            pressure[0] = 1;
        }
        return ref.get() == null;
    }

    /** The control: JDK serialization keeps no loader, so this test can see a loader go at all. */
    @Test
    void withJavaSerializationTheLoaderIsCollected() throws Exception {
        assertTrue(collected(useAndDropAWebApp(new JavaSerializer())), "the loader is still reachable");
    }

    @Test
    void anUndeployedWebAppsLoaderIsCollected() throws Exception {
        FstSerializer fst = new FstSerializer(); // lives as long as the agent
        WeakReference<ClassLoader> gone = useAndDropAWebApp(fst);
        // Another web app keeps using FST meanwhile, on this same thread.
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("n", 1);
        fst.deserialize(fst.serialize(new Object[] {null, other}, getClass().getClassLoader()),
                getClass().getClassLoader());

        // The gone loader was used during the first period and not during the second.
        fst.sweep();
        fst.serialize(new Object[] {null, other}, getClass().getClassLoader());
        fst.sweep();

        assertTrue(collected(gone), "the undeployed web app's class loader is still reachable");

        // The serializer still works for the apps that remain.
        assertEquals(1, ((Map<?, ?>) ((Object[]) fst.deserialize(
                fst.serialize(new Object[] {null, other}, getClass().getClassLoader()), getClass().getClassLoader()))[1])
                .get("n"));
    }
}
