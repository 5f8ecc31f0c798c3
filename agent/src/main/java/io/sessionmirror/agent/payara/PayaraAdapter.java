package io.sessionmirror.agent.payara;

import io.sessionmirror.agent.core.LoadedClasses;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.tomcat.TomcatAdapter;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * Payara's Catalina fork (web-core.jar of Payara Server and Payara Micro 6 and 7) seen through the Tomcat
 * adapter: the session classes, their fields and the managers are Tomcat's, so everything but the members the
 * fork lacks is {@link TomcatAdapter}'s. What differs: the manager's context is {@code getContainer()}; a
 * session's creation and idle times are read from its fields; its id is set by field and registered with
 * {@code Manager.add} (the fork's {@code setId(String)} fires session-created or id-changed events); the
 * manager's lifecycle is its {@code started} flag (cleared before {@code stop()} expires what is left).
 */
final class PayaraAdapter extends TomcatAdapter {

    private static final String STANDARD_SESSION = "org.apache.catalina.session.StandardSession";
    /** Payara Server's admin virtual server (admin console, REST admin), default host of its admin-listener. */
    private static final String ADMIN_HOST = "__asadmin";

    private final ClassValue<Field> startedFlags = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            try {
                return field(type, "started"); // StandardManager's or PersistentManagerBase's own
            } catch (IllegalStateException e) {
                return null;
            }
        }
    };
    private final ClassValue<Field[]> sessionFields = new ClassValue<Field[]>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            Class<?> standard = ancestor(type, STANDARD_SESSION);
            try {
                return standard == null ? null : new Field[] {field(standard, "creationTime"), field(standard, "id"),
                    field(standard, "attributes")};
            } catch (IllegalStateException e) {
                return null; // cached as "not ours"; FamilyGate has named the missing field at transform time
            }
        }
    };

    PayaraAdapter(SessionKeys keys) {
        super(keys);
    }

    @Override
    protected String serverName() {
        return "Payara";
    }

    /**
     * Payara's own replicated sessions (web-ha: a {@code <distributable/>} web app in a Hazelcast cluster, the
     * default of Payara Micro) extend {@code PersistentManagerBase}: they are Payara's to keep, as Tomcat's
     * cluster managers are Tomcat's.
     */
    @Override
    protected boolean serverReplicates(Class<?> managerType) {
        return isReplicationManager(managerType);
    }

    static boolean isReplicationManager(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().startsWith("org.glassfish.web.ha.")) {
                return true;
            }
        }
        return false;
    }

    /** The fork's {@code Manager} has no {@code getContext()}; its container is the context. */
    @Override
    protected Object contextOf(Object manager) throws ReflectiveOperationException {
        return call(manager, "getContainer");
    }

    /**
     * The fork's Engine has no default host: each HTTP listener names its own ({@code default-virtual-server},
     * "server" in every Payara domain), and the connectors carry it.
     */
    @Override
    protected boolean isDefaultHost(Object engine, String hostName) throws ReflectiveOperationException {
        if (ADMIN_HOST.equals(hostName)) {
            // The admin-listener's own: keyed as the default host, the admin console (context path /) would share
            // its keys with the user's root web app, and a console cookie sent there would restore its session.
            return false;
        }
        if (super.isDefaultHost(engine, hostName)) {
            return true;
        }
        Object service = engine == null ? null : call(engine, "getService");
        Object[] connectors = service == null ? new Object[0] : (Object[]) call(service, "findConnectors");
        for (Object connector : connectors) {
            if (hostName.equalsIgnoreCase((String) call(connector, "getDefaultHost"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected long creationTime(Object session) throws ReflectiveOperationException {
        return fields(session)[0].getLong(session);
    }

    /** {@code hasExpired()} compares the time since the last access with the timeout, and changes nothing. */
    @Override
    protected boolean timedOut(Object session, int maxInactive) throws ReflectiveOperationException {
        return (Boolean) call(session, "hasExpired");
    }

    @Override
    protected boolean stopping(Object manager) throws ReflectiveOperationException {
        Field started = startedFlags.get(manager.getClass());
        if (started == null) {
            throw new NoSuchFieldException(manager.getClass().getName() + ".started");
        }
        return !started.getBoolean(manager);
    }

    /** Into the attribute map: the fork's only setter is {@code setAttribute(String, Object)}, which notifies. */
    @Override
    protected void restoreAttribute(Object session, String name, Object value) throws ReflectiveOperationException {
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) fields(session)[2].get(session);
        attributes.put(name, value);
    }

    /**
     * The id by field, then {@code Manager.add}: what the fork's {@code setId(String)} does, without the
     * session-created events it fires for a session that had no id.
     */
    @Override
    protected void register(Object manager, Object session, String id) throws ReflectiveOperationException {
        fields(session)[1].set(session, id);
        Class<?> sessionType = Class.forName("org.apache.catalina.Session", false, manager.getClass().getClassLoader());
        call(manager, "add", new Class<?>[] {sessionType}, session);
    }

    /**
     * The fork's session ids never carry a route: its {@code jvmRoute} (the Engine's, from {@code -DjvmRoute}) is
     * added to the cookie only, and stripped from it before the lookup. A failed-over session keeps the id looked
     * up; under {@code <id>.<route>} no request would ever find it (and the fork's request has no
     * {@code changeSessionId(String)} to tell the browser).
     */
    @Override
    public String routedId(Object manager, String id, String route) {
        return id;
    }

    /** Tomcat's way (web app class loader, its resources, its context) does not exist in the fork: see {@link PayaraLiveSessions}. */
    @Override
    public java.util.List<Object> liveSessions(LoadedClasses loaded) {
        return PayaraLiveSessions.of(loaded, this);
    }

    /** The fork has no session id generator to give a route (see {@link #routedId}). */
    @Override
    public void useRoute(Object request, String route) {
    }

    private Field[] fields(Object session) throws NoSuchFieldException {
        Field[] f = sessionFields.get(session.getClass());
        if (f == null) {
            throw new NoSuchFieldException("not a StandardSession: " + session.getClass().getName());
        }
        return f;
    }
}
