package io.sessionmirror.agent.tomcat;

import io.sessionmirror.agent.support.Reflector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * At an attach, the sessions that already exist in Tomcat: each web app class loader knows its context (through its
 * resources), the context its manager, the manager its sessions. Only managers the adapter mirrors count.
 */
final class TomcatLiveSessions {

    private TomcatLiveSessions() {
    }

    static List<Object> of(Set<ClassLoader> loaders, TomcatAdapter adapter) {
        List<Object> sessions = new ArrayList<>();
        for (ClassLoader loader : loaders) {
            Class<?> webappLoader = Reflector.ancestor(loader.getClass(), "org.apache.catalina.loader.WebappClassLoaderBase");
            if (webappLoader == null) {
                continue;
            }
            try {
                Object resources = Reflector.field(webappLoader, "resources").get(loader);
                Object context = resources == null ? null : adapter.call(resources, "getContext");
                Object manager = context == null ? null : adapter.call(context, "getManager");
                if (manager != null && adapter.webAppOfManager(manager) != null) {
                    Collections.addAll(sessions, (Object[]) adapter.call(manager, "findSessions"));
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a loader of a stopped web app, or one this Tomcat does not lay out so: nothing to export
            }
        }
        return sessions;
    }
}
