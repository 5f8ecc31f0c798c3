package io.sessionmirror.demo.launcher;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * An ordinary embedded Tomcat, the way applications embed it: a port, some web apps, an optional
 * jvmRoute. Works with tomcat-embed-core 9.0, 10.1 and 11.0 on the class path.
 * <pre>
 *   java -cp tomcat-launcher.jar:tomcat-embed-core.jar:... io.sessionmirror.demo.launcher.TomcatLauncher \
 *        --port 8081 --app /shop=shop.war [--app /other=other.war] [--jvm-route a] [--base dir]
 *        [--shared-session-cookie] [--context-xml context.xml] [--persist-sessions] [--user name:password:role]
 * </pre>
 * {@code --shared-session-cookie} sets every web app's session cookie path to {@code /}, so one browser
 * session id is used by all apps (Tomcat then reuses the id across contexts). {@code --context-xml} gives
 * every app that context descriptor, as a {@code META-INF/context.xml} would (the benchmark configures
 * memcached-session-manager's {@code <Manager>} with it). {@code --persist-sessions} makes each app's
 * StandardManager save its sessions to {@code SESSIONS.ser} in the app's work directory on a graceful stop and
 * read them back at the next start, as a standalone Tomcat does (embedded Tomcat leaves the file name unset, so
 * it persists nothing); with a fixed {@code --base} a restart then brings the sessions back. {@code --user} (may be
 * repeated) adds a user with one role to the server's realm, for web apps with a container login (FORM, BASIC).
 */
public final class TomcatLauncher {

    private TomcatLauncher() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        String jvmRoute = null;
        String base = null;
        boolean sharedCookie = false;
        String contextXml = null;
        boolean persistSessions = false;
        List<String[]> apps = new ArrayList<>();
        List<String[]> users = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "--app": {
                    String spec = args[++i];
                    int eq = spec.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("--app takes /path=war-or-directory, got " + spec);
                    }
                    apps.add(new String[] {spec.substring(0, eq), spec.substring(eq + 1)});
                    break;
                }
                case "--jvm-route":
                    jvmRoute = args[++i];
                    break;
                case "--base":
                    base = args[++i];
                    break;
                case "--shared-session-cookie":
                    sharedCookie = true;
                    break;
                case "--context-xml": // a META-INF/context.xml for every app, e.g. another session <Manager>
                    contextXml = args[++i];
                    break;
                case "--persist-sessions":
                    persistSessions = true;
                    break;
                case "--user": // name:password:role, a user of the engine's realm (tomcat-users.xml's job)
                    users.add(userSpec(args[++i]));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        File baseDir = base == null ? Files.createTempDirectory("tomcat-").toFile() : new File(base);
        File appBase = new File(baseDir, "webapps");
        appBase.mkdirs();

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.getAbsolutePath());
        tomcat.setPort(port);
        tomcat.getHost().setAppBase(appBase.getAbsolutePath());
        tomcat.getConnector(); // creates the default HTTP connector
        tomcat.setAddDefaultWebXmlToWebapp(false); // no JSP engine on this class path
        if (jvmRoute != null) {
            tomcat.getEngine().setJvmRoute(jvmRoute);
        }
        for (String[] user : users) {
            tomcat.addUser(user[0], user[1]);
            tomcat.addRole(user[0], user[2]);
        }
        for (String[] app : apps) {
            String path = "/".equals(app[0]) ? "" : app[0];
            Context ctx = tomcat.addWebapp(path, new File(app[1]).getAbsolutePath());
            if (sharedCookie) {
                ctx.setSessionCookiePath("/");
            }
            if (contextXml != null) {
                ctx.setConfigFile(new File(contextXml).toURI().toURL());
            }
            if (persistSessions) {
                org.apache.catalina.session.StandardManager manager = new org.apache.catalina.session.StandardManager();
                manager.setPathname("SESSIONS.ser"); // relative: in the app's work directory
                ctx.setManager(manager);
            }
        }
        tomcat.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "tomcat-shutdown"));
        System.out.println("Tomcat " + org.apache.catalina.util.ServerInfo.getServerNumber() + " listening on port " + port);
        tomcat.getServer().await();
    }

    /** {@code name:password:role} as its three parts. */
    static String[] userSpec(String spec) {
        String[] parts = spec.split(":", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("--user takes name:password:role, got " + spec);
        }
        return parts;
    }
}
