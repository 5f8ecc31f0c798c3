package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web app deployed again with one attribute's class changed: format 5 restores every other attribute, the
 * login included, and says which one it left out and why. The two versions of {@code shop.Item} are compiled
 * here, each into its own directory and loaded through its own class loader, as two deploys would.
 */
class ClassChangeAcrossDeploysTest {

    @TempDir
    static Path dir;
    static ClassLoader v1;
    static ClassLoader v2;
    static ClassLoader withoutItem;

    static final class User implements Principal, Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;

        User(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }
    }

    @BeforeAll
    static void compileTwoVersions() throws Exception {
        v1 = compile("v1", 1, "");
        v2 = compile("v2", 2, "    public String colour;\n");
        withoutItem = new URLClassLoader(new URL[0], ClassChangeAcrossDeploysTest.class.getClassLoader());
    }

    private static ClassLoader compile(String version, int serialVersionUid, String moreFields) throws Exception {
        Path source = dir.resolve(version).resolve("src/shop/Item.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package shop;\n"
                + "public class Item implements java.io.Serializable {\n"
                + "    private static final long serialVersionUID = " + serialVersionUid + "L;\n"
                + "    public String name;\n"
                + moreFields
                + "}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK is needed to compile the attribute class");
        Path bin = dir.resolve(version).resolve("bin");
        assertEquals(0, javac.run(null, null, null, "-d", bin.toString(), source.toString()));
        return new URLClassLoader(new URL[] {bin.toUri().toURL()}, ClassChangeAcrossDeploysTest.class.getClassLoader());
    }

    /** A v1 session: a logged-in user, the item of the changed class, and attributes of unchanged classes. */
    private static byte[] writtenByV1(SessionCodec codec) throws Exception {
        Object item = v1.loadClass("shop.Item").getDeclaredConstructor().newInstance();
        item.getClass().getField("name").set(item, "teapot");
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("item", item);
        attrs.put("theme", "dark");
        attrs.put("visits", 7);
        Encoded e = codec.encode(new SessionData("ID", 1L, 1800, "FORM", new User("alice"), attrs), v1, 1, "key");
        assertTrue(e.skipped.isEmpty(), e.skipped.toString());
        return e.payload;
    }

    @Test
    void anIncompatibleClassCostsThatAttributeOnlyAndTheReasonNamesBothSerialVersionUids() throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, new JavaSerializer());
        Decoded d = codec.decode(writtenByV1(codec), v2, "ID", "key");

        assertEquals("alice", d.data.principal().getName(), "the login survives");
        assertEquals("FORM", d.data.authType());
        assertEquals("dark", d.data.attributes().get("theme"));
        assertEquals(7, d.data.attributes().get("visits"));
        assertEquals(2, d.data.attributes().size(), d.data.attributes().toString());
        assertEquals(1, d.dropped.size(), d.dropped.toString());
        DroppedAttribute dropped = d.dropped.get(0);
        assertEquals("item", dropped.name);
        assertEquals("shop.Item", dropped.className);
        assertTrue(dropped.reason.startsWith("InvalidClassException: shop.Item; local class incompatible"),
                dropped.reason);
        assertTrue(dropped.reason.contains("stream classdesc serialVersionUID = 1")
                && dropped.reason.contains("local class serialVersionUID = 2"), dropped.reason);
        assertEquals(5, d.format);
        assertTrue(d.lineage.indexOf("item") >= 0, "the stored copy had it: the next write marks it removed");
    }

    @Test
    void theSameClassInTheSameVersionRestoresEverything() throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, new JavaSerializer());
        Decoded d = codec.decode(writtenByV1(codec), v1, "ID", "key");
        assertTrue(d.dropped.isEmpty(), d.dropped.toString());
        assertSame(v1.loadClass("shop.Item"), d.data.attributes().get("item").getClass());
    }

    @Test
    void aMissingClassCostsThatAttributeOnlyWithEitherSerializer() throws Exception {
        for (Serializer s : List.of(new JavaSerializer(), new FstSerializer())) {
            SessionCodec codec = new SessionCodec(null, -1, s);
            Decoded d = codec.decode(writtenByV1(codec), withoutItem, "ID", "key");
            assertEquals("alice", d.data.principal().getName(), s.name());
            assertEquals("dark", d.data.attributes().get("theme"), s.name());
            assertEquals(7, d.data.attributes().get("visits"), s.name());
            assertEquals(1, d.dropped.size(), s.name() + ": " + d.dropped);
            assertEquals("item", d.dropped.get(0).name);
            assertTrue(d.dropped.get(0).reason.contains("ClassNotFoundException")
                    && d.dropped.get(0).reason.contains("shop.Item"), s.name() + ": " + d.dropped.get(0).reason);
        }
    }

    @Test
    void aGraphOfFormatTwoIsStillAllOrNothing() throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, new JavaSerializer());
        Object item = v1.loadClass("shop.Item").getDeclaredConstructor().newInstance();
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("item", item);
        attrs.put("theme", "dark");
        byte[] old = LegacyPayloads.format2(new JavaSerializer(), new SessionData("ID", 1L, 60, null, null, attrs), 1);
        CorruptPayloadException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptPayloadException.class,
                () -> codec.decode(old, v2, "ID", "key"));
        assertTrue(e.getMessage().contains("serialVersionUID"), e.getMessage());
    }
}
