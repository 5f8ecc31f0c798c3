package io.sessionmirror.launcher;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * Entry point of the agent jar: {@code premain} ({@code -javaagent}), {@code agentmain} (attach) and
 * {@code main} (the command line). Deliberately tiny and JDK-only: it puts the bootstrap bridge on the
 * boot class path, creates the isolated agent class loader and hands over to the agent proper.
 */
public final class SessionMirrorLauncher {

    private static final String INSTALLER = "io.sessionmirror.agent.AgentInstaller";
    private static final String CLI = "io.sessionmirror.agent.Cli";

    private static volatile ClassLoader agentLoader;

    private SessionMirrorLauncher() {
    }

    public static void premain(String options, Instrumentation inst) {
        start(options, inst, true);
    }

    public static void agentmain(String options, Instrumentation inst) {
        start(options, inst, false);
    }

    public static void main(String[] args) throws Exception {
        ClassLoader loader = loader(null);
        Method main = loader.loadClass(CLI).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    private static void start(String options, Instrumentation inst, boolean atStartup) {
        try {
            ClassLoader loader = loader(inst);
            Method install = loader.loadClass(INSTALLER)
                    .getMethod("install", String.class, Instrumentation.class, boolean.class);
            install.invoke(null, options, inst, atStartup);
        } catch (InvocationTargetException e) {
            // The installer reports its own errors; anything reaching here is a bug.
            System.err.println("session-mirror: failed to start, the server runs without it: " + e.getCause());
        } catch (Throwable t) {
            System.err.println("session-mirror: failed to start, the server runs without it: " + t);
        }
    }

    private static synchronized ClassLoader loader(Instrumentation inst) throws Exception {
        if (agentLoader != null) {
            return agentLoader;
        }
        URL location = SessionMirrorLauncher.class.getProtectionDomain().getCodeSource().getLocation();
        File file = jarFile(location);
        JarFile jar = new JarFile(file, false);
        if (inst != null) {
            // The bridge must be visible from every server class loader; only the boot loader is.
            // The jar's root holds nothing but the launcher and the bridge, so nothing else leaks.
            inst.appendToBootstrapClassLoaderSearch(new JarFile(file, false));
        }
        // As an agent, the bridge comes from the boot class path; on the command line (java -jar) it is
        // on the class path with the launcher.
        ClassLoader parent = inst != null ? ClassLoader.getPlatformClassLoader() : SessionMirrorLauncher.class.getClassLoader();
        agentLoader = new AgentClassLoader(jar, file.toURI().toURL(), parent);
        return agentLoader;
    }

    /**
     * The agent jar on disk. Started by the JVM, the launcher's code source is the jar's file URL; started by
     * JBoss Modules ({@code -javaagent} among WildFly's {@code MODULE_OPTS}), it is {@code jar:file:/...jar!/}.
     */
    static File jarFile(URL location) throws Exception {
        String text = location.toString();
        if (text.startsWith("jar:")) {
            int end = text.indexOf("!/");
            text = text.substring(4, end < 0 ? text.length() : end);
        }
        return new File(new java.net.URI(text));
    }
}
