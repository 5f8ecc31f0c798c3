package io.sessionmirror.demo.launcher;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordinary embedded Jetty, the way applications embed it: a Server on a port, a WebAppContext per
 * war, all in a ContextHandlerCollection, default session handling. Works with Jetty 9.4, 10, 11 and 12
 * (ee8, ee9, ee10 or ee11) on the class path; the classes are named per line because Jetty's
 * packages changed between them.
 * <pre>
 *   java -cp jetty-launcher.jar:jetty/lib/* io.sessionmirror.demo.launcher.JettyLauncher \
 *        --port 8081 --app /shop=shop.war [--app /other=other.war] [--env ee10] [--shared-session-cookie]
 *        [--realm name --user name:password:role]
 * </pre>
 * {@code --env} picks the Jetty 12 environment (default ee10); older lines ignore it.
 * {@code --shared-session-cookie} sets every web app's session cookie path to {@code /}, so one browser
 * session id is used by all apps. {@code --file-sessions dir} gives every app Jetty's own
 * {@code FileSessionDataStore} in {@code dir} and a cache that evicts each session when its request ends.
 * {@code --realm} and {@code --user} (may be repeated) give the server a {@code HashLoginService} of that name
 * with those users, for web apps whose container login (FORM, BASIC) names that realm.
 */
public final class JettyLauncher {

    private JettyLauncher() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        String env = "ee10";
        boolean sharedCookie = false;
        String workerName = null;
        String fileSessions = null;
        List<String[]> apps = new ArrayList<>();
        String realm = null;
        List<String[]> users = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "--env":
                    env = args[++i];
                    break;
                case "--app": {
                    String spec = args[++i];
                    int eq = spec.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("--app takes /path=war-file, got " + spec);
                    }
                    apps.add(new String[] {spec.substring(0, eq), spec.substring(eq + 1)});
                    break;
                }
                case "--shared-session-cookie":
                    sharedCookie = true;
                    break;
                case "--worker-name":
                    workerName = args[++i];
                    break;
                case "--file-sessions": // Jetty's own FileSessionDataStore in this folder, sessions evicted after each request
                    fileSessions = args[++i];
                    break;
                case "--realm": // the realm-name of the web apps' login-config
                    realm = args[++i];
                    break;
                case "--user": {
                    String[] user = args[++i].split(":", 3);
                    if (user.length != 3) {
                        throw new IllegalArgumentException("--user takes name:password:role, got " + args[i]);
                    }
                    users.add(user);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        boolean jetty12 = !present("org.eclipse.jetty.server.session.SessionHandler");
        String webAppClass = jetty12 ? "org.eclipse.jetty." + env + ".webapp.WebAppContext" : "org.eclipse.jetty.webapp.WebAppContext";

        Class<?> handlerType = Class.forName("org.eclipse.jetty.server.Handler");
        Object server = Class.forName("org.eclipse.jetty.server.Server").getConstructor(int.class).newInstance(port);
        if (workerName != null) {
            // The session id manager's worker name is Jetty's route: ids look like <id>.<worker name>.
            String pkg = jetty12 ? "org.eclipse.jetty.session." : "org.eclipse.jetty.server.session.";
            Object ids = Class.forName(pkg + "DefaultSessionIdManager").getConstructor(server.getClass()).newInstance(server);
            call(ids, "setWorkerName", workerName);
            try {
                call(server, "setSessionIdManager", ids); // 9.4 to 11
            } catch (NoSuchMethodException e) {
                call(server, "addBean", ids); // 12
            }
        }
        if (fileSessions != null) {
            // Server beans every session handler picks up: the server's own persistent store, and a cache that
            // evicts a session when its last request ends, so each request loads it from that store.
            String pkg = jetty12 ? "org.eclipse.jetty.session." : "org.eclipse.jetty.server.session.";
            Object stores = Class.forName(pkg + "FileSessionDataStoreFactory").getConstructor().newInstance();
            call(stores, "setStoreDir", new java.io.File(fileSessions));
            Object caches = Class.forName(pkg + "DefaultSessionCacheFactory").getConstructor().newInstance();
            call(caches, "setEvictionPolicy", 0); // SessionCache.EVICT_ON_SESSION_EXIT
            call(server, "addBean", stores);
            call(server, "addBean", caches);
        }
        if (realm != null) {
            call(server, "addBean", loginService(realm, users));
        }
        Object contexts = newContextHandlerCollection();
        for (String[] app : apps) {
            Object webapp = Class.forName(webAppClass).getConstructor().newInstance();
            call(webapp, "setContextPath", app[0]);
            call(webapp, "setWar", app[1]);
            if (sharedCookie) {
                Object sessions = call(webapp, "getSessionHandler");
                try {
                    call(sessions, "setSessionPath", "/"); // Jetty 12
                } catch (NoSuchMethodException e) {
                    call(call(sessions, "getSessionCookieConfig"), "setPath", "/"); // 9.4 to 11
                }
            }
            // Jetty 12's ee8/ee9 contexts live in a nested (servlet-era) handler tree: add their core handler.
            Object handler = handlerType.isInstance(webapp) ? webapp : call(webapp, "get");
            call(contexts, "addHandler", handler);
        }
        call(server, "setHandler", contexts);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                call(server, "stop");
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "jetty-stop"));
        call(server, "start");
        System.out.println("Jetty " + call(server, "getVersion") + " started on port " + port + " with " + apps.size()
                + " web app(s)");
        call(server, "join");
    }

    /** A HashLoginService named {@code realm} with these users (the same classes from 9.4 to 12). */
    private static Object loginService(String realm, List<String[]> users) throws Exception {
        Object store = Class.forName("org.eclipse.jetty.security.UserStore").getConstructor().newInstance();
        Method credential = Class.forName("org.eclipse.jetty.util.security.Credential").getMethod("getCredential", String.class);
        for (String[] user : users) {
            call(store, "addUser", user[0], credential.invoke(null, user[1]), new String[] {user[2]});
        }
        Object service = Class.forName("org.eclipse.jetty.security.HashLoginService").getConstructor(String.class).newInstance(realm);
        call(service, "setUserStore", store);
        return service;
    }

    /** Jetty 12's constructor takes (optional) varargs; older ones have a no-argument constructor. */
    private static Object newContextHandlerCollection() throws Exception {
        Class<?> type = Class.forName("org.eclipse.jetty.server.handler.ContextHandlerCollection");
        for (java.lang.reflect.Constructor<?> c : type.getConstructors()) {
            if (c.getParameterCount() == 0) {
                return c.newInstance();
            }
            if (c.getParameterCount() == 1 && c.getParameterTypes()[0].isArray()) {
                return c.newInstance(java.lang.reflect.Array.newInstance(c.getParameterTypes()[0].getComponentType(), 0));
            }
        }
        throw new NoSuchMethodException(type.getName() + ".<init>");
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, JettyLauncher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Calls the public method {@code name} whose parameters accept {@code args}. */
    private static Object call(Object target, String name, Object... args) throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length && accepts(m.getParameterTypes(), args)) {
                return m.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + name);
    }

    private static boolean accepts(Class<?>[] types, Object[] args) {
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i] == int.class ? Integer.class : types[i];
            if (args[i] != null && !type.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }
}
