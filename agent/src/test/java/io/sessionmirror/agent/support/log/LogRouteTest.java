package io.sessionmirror.agent.support.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Where the agent's lines go: stderr (slf4j-simple's format, which Tomcat, Jetty, Undertow and Spring Boot users
 * read) unless stderr is captured by a server's own logging; then java.util.logging, levels mapped, the
 * throwable passed along, the {@code log=} level still applied.
 */
class LogRouteTest {

    /** WildFly's System.err once its logging subsystem is up, and Payara's. */
    private static final String WILDFLY_STDERR = "org.jboss.stdio.StdioContext$DelegatingPrintStream";
    private static final String PAYARA_STDERR = "com.sun.common.util.logging.LoggingOutputStream$LoggingPrintStream";

    private final List<java.util.logging.Logger> touched = new CopyOnWriteArrayList<>();
    private final List<Handler> handlers = new CopyOnWriteArrayList<>();

    @AfterEach
    void detach() {
        for (java.util.logging.Logger l : touched) {
            for (Handler h : handlers) {
                l.removeHandler(h);
            }
            l.setLevel(null);
            l.setUseParentHandlers(true);
        }
    }

    @Test
    void onlyAStderrCapturedByAServersLoggingTurnsTheRoute() {
        assertNotNull(LogRoute.capturingLogging(WILDFLY_STDERR, "org.jboss.logmanager.LogManager"));
        assertNotNull(LogRoute.capturingLogging(PAYARA_STDERR, null));
        assertNotNull(LogRoute.capturingLogging("org.glassfish.main.jul.handler.LoggingPrintStream",
                "org.glassfish.main.jul.GlassFishLogManager")); // GlassFish 8
        // WildFly's capture without its log manager named: java.util.logging may not be the server's
        assertNull(LogRoute.capturingLogging(WILDFLY_STDERR, null));
        // Tomcat's catalina.sh names JULI and Catalina replaces System.err: still stderr (catalina.out)
        assertNull(LogRoute.capturingLogging("org.apache.tomcat.util.log.SystemLogHandler",
                "org.apache.juli.ClassLoaderLogManager"));
        assertNull(LogRoute.capturingLogging("java.io.PrintStream", null));
        assertNull(LogRoute.capturingLogging(null, null));
    }

    @Test
    void aServerThatDoesNotCaptureStderrLeavesTheLinesOnStderr() {
        LogRoute route = new LogRoute();
        route.serverSeen("java.io.PrintStream", "org.apache.juli.ClassLoaderLogManager");
        assertFalse(route.toServer());
    }

    @Test
    void theRouteTurnsOnlyWhenJavaUtilLoggingRunsTheLogManagerTheServerNamed() {
        LogRoute route = new LogRoute();
        // This JVM runs the JDK's LogManager: a WildFly capture here would not lead to WildFly's log.
        route.serverSeen(WILDFLY_STDERR, "org.jboss.logmanager.LogManager");
        assertFalse(route.toServer());
        route.serverSeen(PAYARA_STDERR, null);
        assertTrue(route.toServer());
    }

    @Test
    void levelsMapToJavaUtilLogging() {
        assertSame(java.util.logging.Level.SEVERE, LogRoute.julLevel(Level.ERROR));
        assertSame(java.util.logging.Level.WARNING, LogRoute.julLevel(Level.WARN));
        assertSame(java.util.logging.Level.INFO, LogRoute.julLevel(Level.INFO));
        assertSame(java.util.logging.Level.FINE, LogRoute.julLevel(Level.DEBUG));
        assertSame(java.util.logging.Level.FINER, LogRoute.julLevel(Level.TRACE));
        assertSame(java.util.logging.Level.FINE, LogRoute.julLevel("debug"));
        assertSame(java.util.logging.Level.OFF, LogRoute.julLevel("off"));
    }

    @Test
    void untilTheRouteTurnsLinesGoToStderrFormattedAsBefore() {
        FakeStderr stderr = new FakeStderr("session-mirror-test-a", Level.INFO);
        LogRoute route = new LogRoute();
        RoutingLogger logger = new RoutingLogger(stderr, route);
        List<LogRecord> server = capture("session-mirror-test-a");
        IllegalStateException boom = new IllegalStateException("boom");

        logger.info("Session Mirror {} active", "0.1");
        logger.warn("could not write {}", "x", boom);
        logger.debug("below log=info");

        assertEquals(List.of("INFO Session Mirror 0.1 active", "WARN could not write x"), stderr.lines);
        assertSame(boom, stderr.thrown.get(1));
        assertEquals(List.of(), server);
    }

    @Test
    void onceTurnedLinesGoThroughJavaUtilLoggingWithTheirLevelAndThrowable() {
        FakeStderr stderr = new FakeStderr("session-mirror-test-b", Level.INFO);
        LogRoute route = new LogRoute();
        RoutingLogger logger = new RoutingLogger(stderr, route);
        List<LogRecord> server = capture("session-mirror-test-b");
        route.switchToServer();
        IllegalStateException boom = new IllegalStateException("boom");

        logger.info("Session Mirror mirrors {}", "/shop");
        logger.error("failed {}", "here", boom);
        logger.warn("careful");
        logger.debug("below log=info");

        assertEquals(List.of(), stderr.lines, "nothing on stderr any more");
        assertEquals(3, server.size(), String.valueOf(server));
        assertEquals("Session Mirror mirrors /shop", server.get(0).getMessage());
        assertEquals(java.util.logging.Level.INFO, server.get(0).getLevel());
        assertEquals("session-mirror-test-b", server.get(0).getLoggerName());
        assertEquals(java.util.logging.Level.SEVERE, server.get(1).getLevel());
        assertSame(boom, server.get(1).getThrown());
        assertEquals(java.util.logging.Level.WARNING, server.get(2).getLevel());
    }

    @Test
    void logDebugStillShowsDebugLinesInTheServersLog() {
        java.util.logging.Logger agentLogger = java.util.logging.Logger.getLogger("session-mirror");
        touched.add(agentLogger);
        FakeStderr stderr = new FakeStderr("session-mirror", Level.DEBUG);
        LogRoute route = new LogRoute();
        RoutingLogger logger = new RoutingLogger(stderr, route);
        List<LogRecord> server = capture("session-mirror");
        route.option("debug"); // log=debug, given at start (AgentLog.configure), before the route turns
        route.switchToServer();

        logger.debug("Instrumented {}", "io.undertow.server.session.InMemorySessionManager");
        logger.trace("below log=debug");

        assertEquals(1, server.size(), String.valueOf(server));
        assertEquals(java.util.logging.Level.FINE, server.get(0).getLevel());
    }

    private List<LogRecord> capture(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        touched.add(l);
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        h.setLevel(java.util.logging.Level.ALL);
        handlers.add(h);
        l.addHandler(h);
        l.setUseParentHandlers(false);
        return records;
    }

    /** slf4j-simple as far as the router sees it: a level (log=) and the lines it would print. */
    private static final class FakeStderr extends AbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<Throwable> thrown = new CopyOnWriteArrayList<>();
        private final Level threshold;

        FakeStderr(String name, Level threshold) {
            this.name = name;
            this.threshold = threshold;
        }

        private boolean on(Level level) {
            return level.toInt() >= threshold.toInt();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, args));
            thrown.add(t);
        }

        @Override
        public boolean isTraceEnabled() {
            return on(Level.TRACE);
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return on(Level.TRACE);
        }

        @Override
        public boolean isDebugEnabled() {
            return on(Level.DEBUG);
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return on(Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return on(Level.INFO);
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return on(Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return on(Level.WARN);
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return on(Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return on(Level.ERROR);
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return on(Level.ERROR);
        }
    }
}
