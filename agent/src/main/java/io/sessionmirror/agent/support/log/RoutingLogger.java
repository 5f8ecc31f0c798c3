package io.sessionmirror.agent.support.log;

import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger that writes through slf4j-simple (stderr, the format operators and tests know) until its
 * {@link LogRoute} turns to the server's logging, then through java.util.logging under the same name. The
 * {@code log=} level is slf4j-simple's in both cases: a line below it is never formatted; above it, the
 * server's logging configuration decides as it does for the server's own lines.
 */
final class RoutingLogger extends AbstractLogger {

    private static final long serialVersionUID = 1L;

    private final transient Logger stderr;
    private final transient LogRoute route;

    RoutingLogger(Logger stderr, LogRoute route) {
        this.stderr = stderr;
        this.route = route;
        this.name = stderr.getName();
    }

    private boolean enabled(boolean byLogOption, Level level) {
        return byLogOption && (!route.toServer() || route.serverLogger(name).isLoggable(LogRoute.julLevel(level)));
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
        String message = MessageFormatter.basicArrayFormat(pattern, args);
        if (route.toServer()) {
            java.util.logging.LogRecord record = new java.util.logging.LogRecord(LogRoute.julLevel(level), message);
            record.setLoggerName(name);
            record.setThrown(t);
            route.serverLogger(name).log(record);
            return;
        }
        // Already formatted: slf4j-simple prints a message without arguments as it is.
        switch (level) {
            case ERROR:
                stderr.error(message, t);
                break;
            case WARN:
                stderr.warn(message, t);
                break;
            case INFO:
                stderr.info(message, t);
                break;
            case DEBUG:
                stderr.debug(message, t);
                break;
            default:
                stderr.trace(message, t);
                break;
        }
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(stderr.isTraceEnabled(), Level.TRACE);
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(stderr.isDebugEnabled(), Level.DEBUG);
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(stderr.isInfoEnabled(), Level.INFO);
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(stderr.isWarnEnabled(), Level.WARN);
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(stderr.isErrorEnabled(), Level.ERROR);
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return isErrorEnabled();
    }
}
