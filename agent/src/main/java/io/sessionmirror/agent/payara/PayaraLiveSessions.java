package io.sessionmirror.agent.payara;

import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.LoadedClasses;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.agent.support.Reflector;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * At an attach, the sessions that already exist in Payara or GlassFish. The fork's web app class loaders know no
 * context (Tomcat's way), but the server keeps its services in a static registry: {@code Globals} holds the HK2
 * service locator, which holds the web container, whose engine holds the virtual servers, their web apps, and
 * their managers. The web container is taken only if it is running already (its service handle is active): the
 * attach must not create a server service.
 */
final class PayaraLiveSessions {

    static final String GLOBALS = "org.glassfish.internal.api.Globals";
    static final String WEB_CONTAINER = "com.sun.enterprise.web.WebContainer";
    private static final Class<?>[] LOOKUP = {Class.class, Annotation[].class};

    private PayaraLiveSessions() {
    }

    static List<Object> of(LoadedClasses loaded, ContainerAdapter adapter) {
        List<Class<?>> globals = loaded.named(GLOBALS);
        List<Class<?>> containers = loaded.named(WEB_CONTAINER);
        if (globals.isEmpty() || containers.isEmpty()) {
            return Collections.emptyList(); // no web container has started in this JVM: no web app, no session
        }
        Reflector reflector = new Reflector();
        List<Object> sessions = new ArrayList<>();
        for (Class<?> registry : globals) {
            try {
                Object locator = Reflector.findMethod(registry, "getDefaultHabitat", new Class<?>[0]).invoke(null);
                if (locator == null) {
                    continue;
                }
                for (Class<?> container : containers) {
                    Object handle = reflector.call(locator, "getServiceHandle", LOOKUP, container, new Annotation[0]);
                    if (handle == null || !Boolean.TRUE.equals(reflector.call(handle, "isActive"))) {
                        continue;
                    }
                    Object engine = reflector.call(reflector.call(handle, "getService"), "getEngine");
                    addSessions(reflector, engine, adapter, sessions);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // A server laid out otherwise (or stopping): the attach counts what it found, and this says why it
                // may be less than what lives here.
                AgentLog.get().warn("The Payara sessions that existed before the attach could not be found ({}); each of"
                        + " them is mirrored at its next request", e.toString());
            }
        }
        return sessions;
    }

    /** The sessions of every mirrored manager of every web app of every virtual server of {@code engine}. */
    private static void addSessions(Reflector reflector, Object engine, ContainerAdapter adapter, List<Object> sessions)
            throws ReflectiveOperationException {
        for (Object host : children(reflector, engine)) {
            for (Object context : children(reflector, host)) {
                Object manager = reflector.call(context, "getManager");
                if (manager == null || adapter.webAppOfManager(manager) == null) {
                    continue; // none, or one Payara replicates itself (web-ha)
                }
                Object found = reflector.call(manager, "findSessions"); // a List in Payara 6, an array in GlassFish 8
                if (found instanceof Collection) {
                    sessions.addAll((Collection<?>) found);
                } else if (found instanceof Object[]) {
                    Collections.addAll(sessions, (Object[]) found);
                }
            }
        }
    }

    private static Object[] children(Reflector reflector, Object container) throws ReflectiveOperationException {
        Object[] children = container == null ? null : (Object[]) reflector.call(container, "findChildren");
        return children == null ? new Object[0] : children;
    }
}
