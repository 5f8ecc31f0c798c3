package io.sessionmirror.agent.core;

import io.sessionmirror.agent.metrics.MirrorStats;

import java.lang.ref.WeakReference;

/**
 * One deployed web app: the key namespace of its sessions, its class loader (held weakly, so an
 * undeployed app can be collected) and a name for logs.
 */
public final class WebApp {

    private final String namespace;
    private final String displayName;
    private final WeakReference<ClassLoader> loader;
    /** This web app's counters, cached here by {@link MirrorMetrics#of}. */
    public volatile MirrorStats stats;

    public WebApp(String namespace, String displayName, ClassLoader loader) {
        this.namespace = namespace;
        this.displayName = displayName;
        this.loader = new WeakReference<>(loader);
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
