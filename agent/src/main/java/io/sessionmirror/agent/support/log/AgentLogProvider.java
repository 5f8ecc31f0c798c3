package io.sessionmirror.agent.support.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The agent's slf4j binding (relocated with slf4j by the build, so an application's slf4j never sees it): the
 * loggers of slf4j-simple, each behind a {@link RoutingLogger} that sends its lines to the server's own logging
 * once {@link LogRoute} says the server has one, and to stderr as slf4j-simple writes them until then. Every
 * call site, ours and spymemcached's alike, keeps using slf4j. slf4j-simple's own service file is left out of
 * the agent jar, so this is the one binding slf4j finds there.
 */
public final class AgentLogProvider implements SLF4JServiceProvider {

    private final SimpleServiceProvider simple = new SimpleServiceProvider();
    private volatile RoutingLoggerFactory factory;

    @Override
    public void initialize() {
        simple.initialize();
        factory = new RoutingLoggerFactory(simple.getLoggerFactory());
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return simple.getMarkerFactory();
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return simple.getMDCAdapter();
    }

    @Override
    public String getRequestedApiVersion() {
        return simple.getRequestedApiVersion();
    }
}
