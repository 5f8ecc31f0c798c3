package io.sessionmirror.agent.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger that keeps what it was told, formatted, by level: what an operator would read. */
final class RecordingLogger extends AbstractLogger {

    private static final long serialVersionUID = 1L;

    /** One logged line: its level, its text, and the Throwable printed with it (or null). */
    static final class Line {
        final Level level;
        final String text;
        final Throwable thrown;

        Line(Level level, String text, Throwable thrown) {
            this.level = level;
            this.text = text;
            this.thrown = thrown;
        }

        @Override
        public String toString() {
            return level + " " + text;
        }
    }

    final List<Line> lines = new CopyOnWriteArrayList<>();

    List<String> at(Level level) {
        return lines.stream().filter(l -> l.level == level).map(l -> l.text).collect(Collectors.toList());
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
        lines.add(new Line(level, MessageFormatter.basicArrayFormat(pattern, args), t));
    }

    @Override
    public boolean isTraceEnabled() {
        return true;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return true;
    }
}
