package io.sessionmirror.agent.support.log;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One {@link RoutingLogger} per name, each in front of slf4j-simple's logger of that name. */
final class RoutingLoggerFactory implements ILoggerFactory {

    private final ILoggerFactory stderr;
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

    RoutingLoggerFactory(ILoggerFactory stderr) {
        this.stderr = stderr;
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new RoutingLogger(stderr.getLogger(n), LogRoute.SHARED));
    }
}
