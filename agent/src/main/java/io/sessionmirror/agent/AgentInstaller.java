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
            String was = System.getProperty(STATE_OPTIONS, "?");
            System.err.println("session-mirror: already active in this JVM (" + was + "); nothing changed");
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
        List<SessionMirror> mirrors = new java.util.ArrayList<>();
        for (ServerFamily family : FAMILIES) {
            SessionMirror mirror = new SessionMirror(family.adapter(services.keys), services);
            mirrors.add(mirror);
            MirrorBridge.install(family.slot(), mirror);
            builder = family.instrument(builder);
        }
        builder.installOn(inst);
        installed = true;
        publishState(config, inst, atStartup);
        if (!atStartup) {
            SessionExport.start(mirrors, inst, config.exportRate(), log);
        }

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            services.shutdown(3000);
            log.info("Session Mirror stopped: {}", services.stats.summary());
        }, "session-mirror-shutdown"));
        log.info("Session Mirror {} active ({}): {}", Version.get(), atStartup ? "started with the JVM" : "attached",
                config.describe());
    }

    /** System properties of this JVM in which the agent says it is active; the attach command reads them. */
    public static final String STATE_VERSION = "sessionmirror.active.version";
    public static final String STATE_OPTIONS = "sessionmirror.active.options";
    public static final String STATE_SERVERS = "sessionmirror.active.servers";
    public static final String STATE_MODE = "sessionmirror.active.mode";
    /** "running", then "done <sessions written> of <found> in <ms> ms" (attach only). */
    public static final String STATE_EXPORT = "sessionmirror.active.export";
    /** The web apps whose existing sessions the attach exported, with counts. */
    public static final String STATE_WEBAPPS = "sessionmirror.active.webapps";

    /** Which server families' session classes are loaded right now (at attach: what runs in this JVM). */
    static String loadedServers(Instrumentation inst) {
        java.util.Set<String> found = new java.util.TreeSet<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String n = c.getName();
            if (n.equals("org.apache.catalina.session.ManagerBase")) {
                found.add("Tomcat");
            } else if (n.equals("org.eclipse.jetty.server.session.SessionHandler") || n.equals("org.eclipse.jetty.session.AbstractSessionManager")) {
                found.add("Jetty");
            } else if (n.equals("io.undertow.server.session.InMemorySessionManager")) {
                found.add("Undertow");
            }
        }
        return String.join(",", found);
    }

    private static void publishState(MirrorConfig config, Instrumentation inst, boolean atStartup) {
        try {
            System.setProperty(STATE_VERSION, Version.get());
            System.setProperty(STATE_OPTIONS, config.describe());
            System.setProperty(STATE_MODE, atStartup ? "started with the JVM" : "attached");
            System.setProperty(STATE_SERVERS, loadedServers(inst));
        } catch (SecurityException ignored) {
            // a security manager forbids it: the attach command then cannot report the state, nothing else
        }
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
