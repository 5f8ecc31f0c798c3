package io.sessionmirror.agent;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.core.AgentLog;
import io.sessionmirror.agent.core.MirrorServices;
import io.sessionmirror.agent.core.SessionMirror;
import io.sessionmirror.agent.jetty.JettyInstrumentation;
import io.sessionmirror.agent.tomcat.TomcatInstrumentation;
import io.sessionmirror.agent.undertow.UndertowInstrumentation;
import io.sessionmirror.bootstrap.MirrorBridge;
import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;

/**
 * Starts the agent inside the server JVM: reads the configuration, connects to Memcached in the
 * background, installs the core behind the bootstrap bridge and instruments the server classes.
 * Called by the launcher, in the agent's own class loader.
 */
public final class AgentInstaller {

    static final List<ServerFamily> FAMILIES = Arrays.asList(
            new TomcatInstrumentation(), new JettyInstrumentation(), new UndertowInstrumentation());

    private static volatile boolean installed;

    private AgentInstaller() {
    }

    public static synchronized void install(String options, Instrumentation inst, boolean atStartup) {
        MirrorConfig config;
        try {
            config = MirrorConfig.load(options);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            if (atStartup) {
                // A misconfiguration must surface at deploy time, not at failover time: refuse to start.
                System.err.flush();
                System.exit(1);
            }
            return;
        }
        if (installed) {
            System.err.println("session-mirror: already active in this JVM; nothing changed");
            return;
        }
        AgentLog.configure(config.logLevel());
        Logger log = AgentLog.get();
        if (!config.enabled()) {
            log.info("Session Mirror is disabled (enabled=false); sessions are not mirrored");
            installed = true;
            return;
        }
        try {
            ModuleOpener.openForSerializer(inst);
        } catch (Throwable t) {
            log.warn("Could not open java.base to the FST serializer ({}); use serializer=java if sessions fail to serialize", t.toString());
        }

        MirrorServices services = MirrorServices.create(config);
        ElementMatcher.Junction<TypeDescription> ours = none();
        for (ServerFamily family : FAMILIES) {
            for (String prefix : family.packagePrefixes()) {
                ours = ours.or(nameStartsWith(prefix));
            }
        }
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(new ErrorListener(log))
                .ignore(not(ours));
        for (ServerFamily family : FAMILIES) {
            MirrorBridge.install(family.slot(), new SessionMirror(family.adapter(services.keys), services));
            builder = family.instrument(builder);
        }
        builder.installOn(inst);
        installed = true;

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            services.shutdown(3000);
            log.info("Session Mirror stopped: {}", services.stats.summary());
        }, "session-mirror-shutdown"));
        log.info("Session Mirror {} active ({}): {}", Version.get(), atStartup ? "started with the JVM" : "attached",
                config.describe());
    }

    /** Instrumentation problems are logged, never thrown: the server must start regardless. */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        private final Logger log;

        ErrorListener(Logger log) {
            this.log = log;
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            log.debug("Instrumented {}", type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            log.warn("Could not instrument {}: {}", typeName, error.toString());
        }
    }
}
