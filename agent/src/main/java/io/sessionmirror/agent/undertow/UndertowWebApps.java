package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.support.Reflector;
import io.sessionmirror.agent.support.WeakIdentityTable;
import java.util.List;

/**
 * Which web app an Undertow session manager serves: read from the servlet layer's session listener bridge
 * when there is one (context path, class loader, virtual host); a plain undertow-core handler has only its
 * deployment name.
 */
final class UndertowWebApps {

    private static final String LISTENER_BRIDGE = "io.undertow.servlet.core.SessionListenerBridge";

    private final SessionKeys keys;
    private final UndertowMembers members;
    private final Reflector reflector = new Reflector();
    private final WeakIdentityTable<Object, WebApp> webApps = new WeakIdentityTable<>();

    UndertowWebApps(SessionKeys keys, UndertowMembers members) {
        this.keys = keys;
        this.members = members;
    }

    WebApp ofManager(Object manager) {
        if (!members.isManager(manager)) {
            return null;
        }
        WebApp app = webApps.get(manager);
        if (app != null) {
            return app;
        }
        try {
            Object servletContext = servletContext(manager);
            String path;
            ClassLoader loader;
            String display;
            String host = null;
            if (servletContext != null) {
                path = (String) reflector.call(servletContext, "getContextPath");
                loader = (ClassLoader) reflector.call(servletContext, "getClassLoader");
                // The deployment's host name (DeploymentInfo.getHostName; WildFly sets it to the virtual host).
                host = keyHost(virtualServerName(servletContext));
                display = "Undertow web app '" + (path == null || path.isEmpty() ? "/" : path) + "'"
                        + (SessionKeys.DEFAULT_HOST.equals(host) ? "" : " on host " + host);
            } else {
                // undertow-core without servlets: the deployment name is all there is.
                String name = (String) reflector.call(manager, "getDeploymentName");
                path = "/" + name;
                loader = Thread.currentThread().getContextClassLoader();
                display = "Undertow deployment '" + name + "'";
            }
            app = new WebApp(keys.namespace(host, path), display, loader);
            webApps.put(manager, app);
            return app;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    WebApp ofSession(Object session) {
        try {
            Object manager = members.managerOf(session);
            return manager == null ? null : ofManager(manager);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The host part of the key namespace for a deployment's host name. Undertow's default host name
     * ({@code localhost}, what {@code DeploymentInfo} starts with) and WildFly's ({@code default-host}) map
     * to the default host, as Tomcat's default host and a Jetty context without virtual hosts do, so a
     * single-host cluster of mixed servers shares keys; any other host keeps its own namespace (lower case,
     * as Tomcat names hosts).
     */
    static String keyHost(String hostName) {
        if (hostName == null || hostName.isEmpty() || hostName.equalsIgnoreCase("localhost")
                || hostName.equalsIgnoreCase("default-host")) {
            return SessionKeys.DEFAULT_HOST;
        }
        return hostName.toLowerCase(java.util.Locale.ROOT);
    }

    private String virtualServerName(Object servletContext) {
        try {
            return (String) reflector.call(servletContext, "getVirtualServerName");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a servlet layer without virtual server names: the default host
        }
    }

    /**
     * The servlet context of the manager's deployment, via the servlet layer's session listener bridge (seen
     * through the decorators WildFly wraps listeners in); or null.
     */
    Object servletContext(Object manager) throws ReflectiveOperationException {
        UndertowMembers.Members m = members.of(manager);
        Object listeners = m.listeners.get(manager);
        for (Object listener : (List<?>) m.listenerList.get(listeners)) {
            Object bridge = UndertowDecorators.listenerBridge(listener, LISTENER_BRIDGE);
            if (bridge != null) {
                return Reflector.field(Reflector.ancestor(bridge.getClass(), LISTENER_BRIDGE), "servletContext").get(bridge);
            }
        }
        return null;
    }
}
