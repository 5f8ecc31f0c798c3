package io.sessionmirror.agent.support.log;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.event.Level;

/**
 * Where the agent's lines go: stderr, as slf4j-simple writes them, until a server that captures stderr into its
 * own log (WildFly, Payara) is seen; from then on java.util.logging, so they read as the server's own lines
 * ({@code INFO [session-mirror] ...} in WildFly's server.log rather than {@code ERROR [stderr] ...}) and the
 * server's logging configuration applies to them.
 * <p>
 * The agent must never be the first to touch {@link java.util.logging.LogManager}: WildFly refuses to boot if
 * java.util.logging starts before JBoss Modules has named its log manager, and the JDK fixes the manager at
 * the first touch. So nothing here looks at java.util.logging before a server family has seen the server's
 * classes ({@link #serverClassesSeen}) AND stderr is one of the capturing streams the servers install only
 * once their logging is up. Tomcat, Jetty, Undertow and Spring Boot never get there and keep stderr.
 */
public final class LogRoute {

    /** The route of the agent's own loggers. */
    static final LogRoute SHARED = new LogRoute();

    static final String JBOSS_LOG_MANAGER = "org.jboss.logmanager.LogManager";
    static final String MANAGER_PROPERTY = "java.util.logging.manager";

    private volatile boolean server;
    private volatile java.util.logging.Level optionLevel;
    private final ConcurrentMap<String, java.util.logging.Logger> julLoggers = new ConcurrentHashMap<>();

    LogRoute() {
    }

    /** The {@code log=} level: applied in the server's logging to the agent's logger if the server sets none. */
    public static void logOption(String level) {
        SHARED.option(level);
    }

    void option(String level) {
        optionLevel = julLevel(level);
    }

    /**
     * A server family just saw the server's classes (the server is up to deploying web apps, so its logging is
     * set up): if the server captures stderr into its log, the agent logs through it from now on.
     */
    public static void serverClassesSeen() {
        if (SHARED.server) {
            return;
        }
        try {
            SHARED.serverSeen(System.err.getClass().getName(), System.getProperty(MANAGER_PROPERTY));
        } catch (Throwable t) {
            // stderr still works: the lines stay there
        }
    }

    void serverSeen(String stderrType, String managerProperty) {
        String logging = capturingLogging(stderrType, managerProperty);
        if (server || logging == null) {
            return;
        }
        // Safe now: the server started java.util.logging before it captured stderr.
        String manager = java.util.logging.LogManager.getLogManager().getClass().getName();
        if (managerProperty != null && !managerProperty.equals(manager)) {
            return; // not the manager the server asked for: its log would not be where it says
        }
        server = true;
        serverLogger("session-mirror").log(java.util.logging.Level.INFO, "Session Mirror logs through " + logging
                + " from now on (java.util.logging, logger session-mirror), no longer to stderr");
    }

    /**
     * Which server's logging captures stderr, given the type of {@code System.err} and the log manager the JVM
     * was told to use; null when nothing does (the lines stay on stderr).
     */
    static String capturingLogging(String stderrType, String managerProperty) {
        if (stderrType == null) {
            return null;
        }
        if (stderrType.startsWith("org.jboss.stdio.") && JBOSS_LOG_MANAGER.equals(managerProperty)) {
            return "the server's JBoss LogManager"; // WildFly, JBoss EAP: the logging subsystem's stdio capture
        }
        if (stderrType.startsWith("com.sun.common.util.logging.LoggingOutputStream")) {
            return "the server's logging"; // Payara, GlassFish 7: LogManagerService's capture into server.log
        }
        if (stderrType.startsWith("org.glassfish.main.jul.handler.Logging")) {
            return "the server's logging"; // GlassFish 8: its java.util.logging extension's capture into server.log
        }
        return null;
    }

    boolean toServer() {
        return server;
    }

    /** For tests: from now on, through java.util.logging. */
    void switchToServer() {
        server = true;
    }

    java.util.logging.Logger serverLogger(String name) {
        return julLoggers.computeIfAbsent(name, n -> {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(n);
            java.util.logging.Level wanted = optionLevel;
            // log=debug asks for debug lines: let them through unless the server's configuration names this logger.
            if ("session-mirror".equals(n) && logger.getLevel() == null && wanted != null
                    && wanted.intValue() < java.util.logging.Level.INFO.intValue()) {
                logger.setLevel(wanted);
            }
            return logger;
        });
    }

    /** slf4j's levels as java.util.logging names them. */
    static java.util.logging.Level julLevel(Level level) {
        switch (level) {
            case ERROR:
                return java.util.logging.Level.SEVERE;
            case WARN:
                return java.util.logging.Level.WARNING;
            case INFO:
                return java.util.logging.Level.INFO;
            case DEBUG:
                return java.util.logging.Level.FINE;
            default:
                return java.util.logging.Level.FINER;
        }
    }

    /** A {@code log=} value (slf4j-simple's names) as a java.util.logging level; null for one it does not know. */
    static java.util.logging.Level julLevel(String option) {
        if (option == null) {
            return null;
        }
        switch (option.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "error":
                return java.util.logging.Level.SEVERE;
            case "warn":
                return java.util.logging.Level.WARNING;
            case "info":
                return java.util.logging.Level.INFO;
            case "debug":
                return java.util.logging.Level.FINE;
            case "trace":
                return java.util.logging.Level.FINER;
            case "off":
                return java.util.logging.Level.OFF;
            default:
                return null;
        }
    }
}
