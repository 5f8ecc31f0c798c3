package io.sessionmirror.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.RejectedPayloadException;
import io.sessionmirror.agent.codec.Serializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.ObjectInputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real gadget chain (commons-collections 3.2.1, the classic one): reading it runs
 * {@code new File(marker).createNewFile()}. The control proves the payload is live; the agent's readers
 * must refuse it before anything runs, with and without a secret.
 */
public class GadgetTest {

    @TempDir
    Path dir;

    /**
     * A HashMap whose key's hashCode() (called while the map is rebuilt) asks a LazyMap for a missing key,
     * whose factory is a transformer chain that calls createNewFile on the marker.
     */
    public static Map<Object, Object> gadget(File marker) throws Exception {
        ChainedTransformer chain = new ChainedTransformer(new Transformer[0]); // harmless while it is built
        Map<Object, Object> lazy = LazyMap.decorate(new HashMap<>(), chain);
        Map<Object, Object> root = new HashMap<>();
        root.put(new TiedMapEntry(lazy, "trigger"), "x");
        lazy.remove("trigger"); // put() already asked once; the stored graph must ask again
        Field f = ChainedTransformer.class.getDeclaredField("iTransformers");
        f.setAccessible(true);
        f.set(chain, new Transformer[] {new ConstantTransformer(marker),
                new InvokerTransformer("createNewFile", new Class<?>[0], new Object[0])});
        return root;
    }

    static Stream<Serializer> serializers() {
        return Stream.of(new FstSerializer(), new JavaSerializer());
    }

    private static ClassLoader loader() {
        return GadgetTest.class.getClassLoader();
    }

    @Test
    void controlThePayloadIsLiveWithoutTheFilter() throws Exception {
        File marker = dir.resolve("pwned-java").toFile();
        byte[] bytes = new JavaSerializer().serialize(gadget(marker), loader());
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.readObject();
        }
        assertTrue(marker.exists(), "plain JDK deserialization runs the chain");

        File fstMarker = dir.resolve("pwned-fst").toFile();
        byte[] fst = org.nustaq.serialization.FSTConfiguration.createDefaultConfiguration().asByteArray(gadget(fstMarker));
        org.nustaq.serialization.FSTConfiguration.createDefaultConfiguration().asObject(fst);
        assertTrue(fstMarker.exists(), "plain FST runs the chain too");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void aPlantedGadgetIsNotInstantiated(Serializer s) throws Exception {
        File marker = dir.resolve("pwned").toFile();
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("cart", gadget(marker));
        SessionData data = new SessionData("ID", 1L, 1800, null, null, attrs);
        // What an attacker with access to Memcached (and no secret) can plant: a well-formed, unsigned entry.
        byte[] planted = new SessionCodec(null, -1, s).encode(data, loader(), 1, "k").payload;
        assertFalse(marker.exists());

        RejectedPayloadException e = assertThrows(RejectedPayloadException.class,
                () -> new SessionCodec(null, -1, s).decode(planted, loader(), "ID", "k"));
        assertTrue(e.getMessage().contains("org.apache.commons.collections."), e.getMessage());
        assertTrue(e.getMessage().contains("denied by the deserialization filter"), e.getMessage());
        assertFalse(marker.exists(), "the chain did not run");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void withASecretAPlantedGadgetIsNotEvenParsed(Serializer s) throws Exception {
        File marker = dir.resolve("pwned").toFile();
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("cart", gadget(marker));
        byte[] planted = new SessionCodec(null, -1, s).encode(new SessionData("ID", 1L, 1800, null, null, attrs), loader(), 1, "k")
                .payload;
        SessionCodec signed = new SessionCodec(new PayloadSeal(List.of("a secret of sixteen+ chars"), false), -1, s);
        assertTrue(assertThrows(RejectedPayloadException.class,
                () -> signed.decode(planted, loader(), "ID", "k")).getMessage().contains("not signed"));
        assertFalse(marker.exists());
    }

    @Test
    void filterRules() {
        ClassFilter defaults = ClassFilter.DEFAULT;
        assertNull(defaults.rejection("java.util.HashMap"));
        assertNull(defaults.rejection("com.shop.Cart"));
        assertNull(defaults.rejection("[I"));
        assertTrue(defaults.rejection("org.apache.commons.collections.functors.InvokerTransformer").contains("gadget"));
        assertTrue(defaults.rejection("[Lorg.apache.commons.collections.functors.InvokerTransformer;").contains("gadget"));
        assertTrue(defaults.rejection("com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl") != null);
        assertTrue(defaults.rejection("org.springframework.core.SerializableTypeWrapper$MethodInvokeTypeProvider") != null);
        assertNull(defaults.rejection("org.apache.commons.collections.map.HashedMap"), "the rest of the library is fine");

        ClassFilter allow = new ClassFilter(List.of("com.shop.", "org.apache.commons.collections."), List.of("com.shop.Secret"));
        assertNull(allow.rejection("com.shop.Cart"));
        assertNull(allow.rejection("java.lang.Integer"), "JDK values are always readable");
        assertTrue(allow.rejection("com.other.Thing").contains("not in classes.allow"));
        assertTrue(allow.rejection("com.shop.Secret").contains("classes.deny"));
        assertTrue(allow.rejection("org.apache.commons.collections.functors.InvokerTransformer").contains("gadget"),
                "allowing a library does not allow its gadget package");
        ClassFilter lifted = new ClassFilter(List.of("org.apache.commons.collections.functors.ConstantTransformer"), null);
        assertNull(lifted.rejection("org.apache.commons.collections.functors.ConstantTransformer"),
                "an allow entry naming the denied class itself lifts the denial");
        assertEquals(lifted.rejection("org.apache.commons.collections.functors.InvokerTransformer") != null, true);
    }

    @Test
    void aDeniedPrincipalOrProxyIsRefusedByTheJdkReader() throws Exception {
        Object proxy = java.lang.reflect.Proxy.newProxyInstance(loader(), new Class<?>[] {java.io.Serializable.class,
                Runnable.class}, new Handler());
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("proxy", proxy);
        byte[] p = new SessionCodec(null, -1, new JavaSerializer()).encode(new SessionData("ID", 1L, 1, null, null, attrs), loader(), 1, "")
                .payload;
        assertTrue(assertThrows(RejectedPayloadException.class,
                () -> new SessionCodec(null, -1, new JavaSerializer()).decode(p, loader(), "ID", "")).getMessage()
                .contains("java.lang.reflect.Proxy"));
        assertTrue(Files.notExists(dir.resolve("x")));
    }

    static final class Handler implements java.lang.reflect.InvocationHandler, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) {
            return null;
        }
    }
}
