package io.sessionmirror.agent.core;

import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.metrics.MetricsRegistry;
import java.lang.ref.WeakReference;

/**
 * One deployed web app: the key namespace of its sessions, its class loader (held weakly, so an
 * undeployed app can be collected) and a name for logs.
 */
public final class WebApp {

    private final String namespace;
    private final String displayName;
    private final WeakReference<ClassLoader> loader;
    /** This web app's counters, looked up in the registry once and cached here (read on every request). */
    private volatile Counters stats;

    public WebApp(String namespace, String displayName, ClassLoader loader) {
        this.namespace = namespace;
        this.displayName = displayName;
        this.loader = new WeakReference<>(loader);
    }

    /** This web app's counters, created and registered in {@code registry} at its first use. */
    public Counters counters(MetricsRegistry registry) {
        Counters s = stats;
        if (s == null) {
            s = registry.forWebApp(namespace, toString());
            stats = s;
        }
        return s;
    }

    public String namespace() {
        return namespace;
    }

    /** The loader to resolve the app's classes with; falls back to the calling thread's. */
    public ClassLoader classLoader() {
        ClassLoader l = loader.get();
        return l != null ? l : Thread.currentThread().getContextClassLoader();
    }

    public boolean hasLoader(ClassLoader l) {
        return loader.get() == l;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
