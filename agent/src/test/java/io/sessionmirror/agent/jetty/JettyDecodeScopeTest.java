package io.sessionmirror.agent.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.WebApp;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A stored copy is decoded as Jetty decodes its own: inside the web app's context scope, with a loader that finds
 * Jetty's own classes (which the web app's loader hides) and nothing else of the server's.
 */
class JettyDecodeScopeTest {

    /** What Jetty's ContextHandler scope is in this test: a thread-local a readObject could look at. */
    static final ThreadLocal<String> CURRENT_CONTEXT = new ThreadLocal<>();

    /** Stands for Jetty's SessionContext: {@code run} runs the work inside the context. */
    public static final class FakeSessionContext {
        public void run(Runnable work) {
            CURRENT_CONTEXT.set("/shop");
            try {
                work.run();
            } finally {
                CURRENT_CONTEXT.remove();
            }
        }
    }

    /** A web app's loader: hides the server's classes, as Jetty's WebAppClassLoader does. */
    static final class WebAppLoader extends ClassLoader {
        WebAppLoader() {
            super(JettyDecodeScopeTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("org.eclipse.jetty.")) {
                throw new ClassNotFoundException(name + " (a server class, hidden from the web app)");
            }
            return super.loadClass(name, resolve);
        }
    }

    /**
     * The server's loader: knows one Jetty class, stood for by this test's Marker (so the tests ask the loader
     * directly: Class.forName would check the name).
     */
    static final class ServerLoader extends ClassLoader {
        ServerLoader() {
            super(null);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals("org.eclipse.jetty.security.authentication.SessionAuthentication")) {
                return Marker.class;
            }
            throw new ClassNotFoundException(name);
        }
    }

    static final class Marker {
    }

    private final WebAppLoader appLoader = new WebAppLoader();
    private final WebApp app = new WebApp("localhost/shop", "Jetty web app '/shop'", appLoader);

    @Test
    void decodesInsideTheContextScope() throws Exception {
        String seen = new JettyDecodeScope().decode(new FakeSessionContext(), app, new ServerLoader(),
                loader -> CURRENT_CONTEXT.get());
        assertEquals("/shop", seen, "the decode ran inside the web app's context");
        assertEquals(null, CURRENT_CONTEXT.get(), "and the scope is left afterwards");
    }

    @Test
    void jettysOwnClassesComeFromTheServerLoaderAndTheAppsFromTheApp() throws Exception {
        ClassLoader loader = new JettyDecodeScope().decode(new FakeSessionContext(), app, new ServerLoader(), l -> l);
        assertSame(Marker.class, loader.loadClass("org.eclipse.jetty.security.authentication.SessionAuthentication"),
                "the login's class, hidden from the web app, is found in the server");
        assertSame(String.class, loader.loadClass("java.lang.String"));
        assertSame(JettyDecodeScopeTest.class, loader.loadClass(JettyDecodeScopeTest.class.getName()),
                "the web app's classes come from the web app's loader");
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("org.eclipse.jetty.server.Missing"),
                "a class neither has stays missing");
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.shop.Missing"),
                "only Jetty's package falls back to the server");
    }

    @Test
    void whatTheDecodeThrowsReachesTheCaller() {
        IOException broken = new IOException("corrupt");
        IOException thrown = assertThrows(IOException.class, () -> new JettyDecodeScope()
                .decode(new FakeSessionContext(), app, new ServerLoader(), loader -> {
                    throw broken;
                }));
        assertSame(broken, thrown);
        LinkageError linkage = new LinkageError("bad class");
        assertSame(linkage, assertThrows(LinkageError.class, () -> new JettyDecodeScope()
                .decode(new FakeSessionContext(), app, new ServerLoader(), loader -> {
                    throw linkage;
                })));
    }

    @Test
    void withoutAContextToEnterTheDecodeStillRuns() throws Exception {
        ClassLoader loader = new JettyDecodeScope().decode(new Object(), app, new ServerLoader(), l -> l);
        assertTrue(loader instanceof JettyServerClassesLoader, "still with Jetty's classes visible");
        assertSame(Marker.class, loader.loadClass("org.eclipse.jetty.security.authentication.SessionAuthentication"));
    }
}
