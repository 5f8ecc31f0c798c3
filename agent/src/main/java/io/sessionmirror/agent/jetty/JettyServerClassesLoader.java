package io.sessionmirror.agent.jetty;

import java.lang.ref.WeakReference;

/**
 * The loader a stored copy is decoded with on Jetty: the web app's loader, and for the classes of Jetty itself
 * ({@code org.eclipse.jetty.}), which a web app's loader hides, the server's loader. Jetty keeps some of its
 * own objects in sessions (the container login's {@code SessionAuthentication}) and its own stores resolve
 * them so too. Only Jetty's package falls back: a web app class missing from the web app stays missing.
 *
 * <p>Made for one decode and then dropped. The web app's loader is held weakly all the same, so a decode that
 * outlives an undeploy keeps nothing alive.
 */
final class JettyServerClassesLoader extends ClassLoader {

    static final String SERVER_PACKAGE = "org.eclipse.jetty.";

    static {
        registerAsParallelCapable();
    }

    private final WeakReference<ClassLoader> app;
    private final ClassLoader server;

    JettyServerClassesLoader(ClassLoader app, ClassLoader server) {
        super(null);
        this.app = new WeakReference<>(app);
        this.server = server;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        ClassLoader appLoader = app.get();
        if (appLoader == null) {
            throw new ClassNotFoundException(name + " (its web app is gone)");
        }
        try {
            return appLoader.loadClass(name);
        } catch (ClassNotFoundException hidden) {
            if (server == null || server == appLoader || !name.startsWith(SERVER_PACKAGE)) {
                throw hidden;
            }
            return server.loadClass(name);
        }
    }
}
