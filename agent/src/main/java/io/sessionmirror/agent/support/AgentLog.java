package io.sessionmirror.agent.support;

import io.sessionmirror.agent.support.log.LogRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own log: a relocated slf4j-simple writing to stderr under the name "session-mirror", or,
 * once a server that captures stderr into its own log is seen, that server's logging ({@link LogRoute}).
 * The system properties set here are relocated by the build as well, so they never touch an
 * application's own slf4j-simple.
 */
public final class AgentLog {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private AgentLog() {
    }

    /** Must run before the first logger is created. */
    public static void configure(String level) {
        setIfAbsent(PREFIX + "defaultLogLevel", "info");
        System.setProperty(PREFIX + "log.session-mirror", level);
        LogRoute.logOption(level);
        setIfAbsent(PREFIX + "logFile", "System.err");
        setIfAbsent(PREFIX + "showDateTime", "true");
        setIfAbsent(PREFIX + "dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        setIfAbsent(PREFIX + "showThreadName", "false");
        // spymemcached logs through slf4j too, errors only: it would log every reconnect attempt during an
        // outage, which the agent already reports itself, at most once a minute.
        System.setProperty("net.spy.log.LoggerImpl", "net.spy.memcached.compat.log.SLF4JLogger");
        String spy = net.spy.memcached.MemcachedClient.class.getPackage().getName();
        setIfAbsent(PREFIX + "log." + spy, "error");
        // A refused SASL login is retried every 2 s, each time with an error and a stack trace; the store says
        // once, in plain words, that the node refuses the credentials (SaslCheck).
        setIfAbsent(PREFIX + "log." + spy + ".protocol.binary.SASLAuthOperationImpl", "off");
        setIfAbsent(PREFIX + "log." + spy + ".protocol.binary.SASLStepOperationImpl", "off");
        setIfAbsent(PREFIX + "log." + spy + ".auth", "off");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    public static Logger get() {
        return LoggerFactory.getLogger("session-mirror");
    }
}
