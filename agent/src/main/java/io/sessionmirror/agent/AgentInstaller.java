package io.sessionmirror.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.sessionmirror.agent.config.ConfigException;
import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.core.FamilyGate;
import io.sessionmirror.agent.core.HookFailures;
import io.sessionmirror.agent.core.MirrorServices;
import io.sessionmirror.agent.core.ServerFamily;
import io.sessionmirror.agent.core.SessionMirror;
import io.sessionmirror.agent.jetty.JettyInstrumentation;
import io.sessionmirror.agent.payara.PayaraInstrumentation;
import io.sessionmirror.agent.support.AgentLog;
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

    /** The server families, chosen here: a family depends on core only and never on this class. */
    static final List<ServerFamily> FAMILIES = Arrays.asList(
            new TomcatInstrumentation(), new JettyInstrumentation(), new UndertowInstrumentation(), new PayaraInstrumentation());

    /** One per family once installed: which server class loaders each family works in, and which it left alone. */
    private static final List<FamilyGate> GATES = new java.util.concurrent.CopyOnWriteArrayList<>();

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
            reconfigure(config);
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
        active = services;
        activeConfig = config;
        activeLogLevel = config.logLevel();
        ElementMatcher.Junction<TypeDescription> loaders = none();
        for (String loader : BridgeDelegation.typeNames()) {
            loaders = loaders.or(named(loader));
        }
        // First, and on its own: a module system's loaders must already answer for the bridge when a family's gate
        // asks them. An attach retransforms the loaded classes of one installation in one batch, whose new code is
        // in place only once the whole batch is done (the gate of a WildFly module's Undertow saw the old loader).
        BridgeDelegation.instrument(builder(log, loaders)).installOn(inst);
        ElementMatcher.Junction<TypeDescription> ours = none();
        for (ServerFamily family : FAMILIES) {
            for (String prefix : family.packagePrefixes()) {
                ours = ours.or(nameStartsWith(prefix));
            }
        }
        AgentBuilder builder = builder(log, ours);
        List<SessionMirror> mirrors = new java.util.ArrayList<>();
        HookFailures hookFailures = new HookFailures(services.stats.hookFailures, log);
        MirrorBridge.onFailure(hookFailures);
        for (ServerFamily family : FAMILIES) {
            SessionMirror mirror = new SessionMirror(family.adapter(services.keys), services);
            mirrors.add(mirror);
            hookFailures.name(family.slot(), family.name());
            MirrorBridge.install(family.slot(), mirror);
            FamilyGate gate = new FamilyGate(family, log, services.coverage);
            GATES.add(gate);
            builder = family.instrument(builder, gate);
        }
        builder.installOn(inst);
        installed = true;
        publishState(config, inst, atStartup);
        if (!atStartup) {
            SessionExport.start(mirrors, inst, config.exportRate(), log);
        }

        startObservability(config, services, log);
        // Runs beside the server's own hook: it waits for the server's requests and their writes (bounded by
        // shutdown.timeout) before it closes the queue and the store; see ShutdownDrain.
        int shutdownTimeout = config.shutdownTimeoutMillis();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                services.shutdown(shutdownTimeout, log);
                log.info("Session Mirror stopped: {}", services.metrics.summary());
            } catch (Throwable t) {
                log.warn("Session Mirror shutdown failed: {}", t.toString());
            }
        }, "session-mirror-shutdown"));
        // Mirroring starts when a server's session classes load; MirrorCoverage names each web app mirrored.
        log.info("Session Mirror {} active ({}), {} {}: {}", Version.get(), atStartup ? "started with the JVM" : "attached",
                atStartup ? "waiting for" : "looking for", io.sessionmirror.agent.core.MirrorCoverage.waitingFor(FAMILIES),
                config.describe());
        securityWarnings(config, log);
    }

    /** The Prometheus endpoint (if configured) and the periodic summary line. Failures are logged, never thrown. */
    private static void startObservability(MirrorConfig config, MirrorServices services, Logger log) {
        io.sessionmirror.agent.config.ListenAddress metrics = config.metricsPort();
        if (metrics != null) {
            try {
                io.sessionmirror.agent.metrics.PrometheusEndpoint endpoint = io.sessionmirror.agent.metrics.PrometheusEndpoint
                        .start(metrics.host(), metrics.port(), services.metrics);
                log.info("Prometheus metrics on http://{}:{}/metrics", metrics.host() == null ? "*" : metrics.host(),
                        endpoint.port());
            } catch (Exception | LinkageError e) {
                log.warn("Could not serve Prometheus metrics on {}: {}; JMX (sessionmirror:*) still has them",
                        config.value(io.sessionmirror.agent.config.Option.METRICS_PORT), e.toString());
            }
        }
        int every = config.summarySeconds();
        if (every > 0) {
            java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "session-mirror-summary");
                        t.setDaemon(true);
                        return t;
                    });
            long[] last = {-1};
            timer.scheduleAtFixedRate(() -> {
                try {
                    io.sessionmirror.agent.metrics.Counters s = services.stats;
                    long activity = s.requests.sum() + s.writes.sum() + s.loadHits.sum() + s.loadMisses.sum()
                            + s.failures.sum() + s.deletes.sum();
                    if (activity != last[0]) { // an idle server does not fill its log
                        last[0] = activity;
                        log.info("Session Mirror summary: {}", services.metrics.summary());
                    }
                } catch (Throwable t) {
                    log.debug("Summary failed: {}", t.toString());
                }
            }, every, every, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** What an operator should know about the security of this configuration, once at start. */
    static void securityWarnings(MirrorConfig config, Logger log) {
        if (config.secrets().isEmpty()) {
            String store = config.redis() == null ? "Memcached" : "Redis";
            log.warn("No 'secret' is set: " + store + " contents are trusted. Anyone who can write to " + store + " can change"
                    + " or plant sessions (only classes the deserialization filter allows are read), and anyone who"
                    + " can read it can read them. Set secret.file (or SESSIONMIRROR_SECRET) to sign them, and"
                    + " encrypt=true to encrypt them; see docs/security.md.");
        }
        if (!config.secrets().isEmpty() && !config.secretsStrong()) {
            log.warn("A configured secret has fewer than {} characters: whoever can read the store can guess it offline"
                    + " from a stored value. Use a long random one, e.g. from 'openssl rand -base64 32'.",
                    MirrorConfig.STRONG_SECRET_LENGTH);
        }
        String secretFile = config.value(io.sessionmirror.agent.config.Option.SECRET_FILE);
        if (secretFile != null) {
            try {
                if (java.nio.file.Files.getPosixFilePermissions(java.nio.file.Paths.get(secretFile.trim()))
                        .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                    log.warn("The secret file {} is readable by every user of this machine; make it readable by the"
                            + " server's user only (chmod 600)", secretFile.trim());
                }
            } catch (Exception | LinkageError ignored) {
                // not a POSIX file system: nothing to say
            }
        }
        if (config.tls() != null && !config.tls().verifyHostname()) {
            log.warn("tls.verify.hostname=false: any certificate the CA signed is accepted for every node, whatever name"
                    + " it is for; whoever holds one can stand in for a node. Name the nodes as their certificates do"
                    + " and remove the option; see docs/security.md.");
        }
        for (io.sessionmirror.agent.config.Option<?> o : java.util.Arrays.asList(
                io.sessionmirror.agent.config.Option.SECRET, io.sessionmirror.agent.config.Option.PASSWORD)) {
            String source = config.sourceOf(o);
            if (source != null && (source.startsWith("-javaagent") || source.startsWith("system property"))) {
                log.warn("'{}' is given in the {}, which process listings show and servers log at start-up (Tomcat's"
                        + " VersionLoggerListener prints every JVM argument); use {}.file or the environment variable"
                        + " {} instead", o.key(), source, o.key(), o.environmentVariable());
            }
        }
    }

    private static MirrorServices active;
    private static MirrorConfig activeConfig;
    private static String activeLogLevel;

    /**
     * A second attach with options: what can change safely in a running agent is applied (the Memcached
     * nodes, the log level); the rest is named as needing a restart. The outcome goes to
     * {@link #STATE_RECONFIGURED} for the attach command to print.
     */
    private static void reconfigure(MirrorConfig config) {
        if (active == null || activeConfig == null) {
            System.setProperty(STATE_RECONFIGURED, "nothing applied: the agent is disabled in this JVM");
            return;
        }
        java.util.List<String> applied = new java.util.ArrayList<>();
        java.util.List<String> restart = new java.util.ArrayList<>();
        boolean discovered = config.nodes().stream().anyMatch(io.sessionmirror.agent.config.NodeAddress::isDiscovered)
                || activeConfig.nodes().stream().anyMatch(io.sessionmirror.agent.config.NodeAddress::isDiscovered);
        boolean redis = config.redis() != null || activeConfig.redis() != null;
        if (redis) {
            // A Redis store is one connection with its kind, credentials and database: a change of any of them, or
            // a move between Memcached and Redis, is a new store, made at a restart.
            String wanted = config.value(io.sessionmirror.agent.config.Option.NODES);
            String running = activeConfig.value(io.sessionmirror.agent.config.Option.NODES);
            if (!java.util.Objects.equals(wanted, running)) {
                restart.add("nodes=" + (config.redis() != null ? config.redis() : config.nodes()) + " (running: "
                        + (activeConfig.redis() != null ? activeConfig.redis() : activeConfig.nodes())
                        + "; a Redis store is not switched live)");
            }
        } else if (discovered) {
            // The store follows its dns:/config: entries itself; other entries for them are not switched to live.
            if (!config.nodes().equals(activeConfig.nodes())) {
                restart.add("nodes=" + config.nodes() + " (running: " + activeConfig.nodes() + "; dns: and config:"
                        + " entries are followed, not switched)");
            }
        } else if (!config.nodes().equals(active.store.nodes())) {
            active.store.switchNodes(config.nodes());
            applied.add("nodes=" + config.nodes());
        }
        if (!config.logLevel().equals(activeLogLevel)) {
            AgentLog.configure(config.logLevel());
            activeLogLevel = config.logLevel();
            applied.add("log=" + config.logLevel());
        }
        // Option says which keys a running agent applies (nodes, log above) and which only an attach uses.
        restart.addAll(config.changesNeedingRestart(activeConfig));
        String outcome = (applied.isEmpty() ? "nothing to apply" : "applied " + String.join(", ", applied))
                + (restart.isEmpty() ? "" : "; need a restart: " + String.join(", ", restart));
        if (!applied.isEmpty()) {
            String now = System.getProperty(STATE_OPTIONS, activeConfig.describe());
            System.setProperty(STATE_OPTIONS, now.replaceFirst("nodes=\\[[^\\]]*\\]",
                    java.util.regex.Matcher.quoteReplacement("nodes=" + config.nodes())));
            AgentLog.get().info("Session Mirror reconfigured by a second attach: {}", outcome);
        }
        System.setProperty(STATE_RECONFIGURED, outcome);
    }

    /** What a second attach with options did: "applied ...; need a restart: ...". */
    public static final String STATE_RECONFIGURED = "io.sessionmirror.state.reconfigured";

    /**
     * System properties of this JVM in which the agent says it is active; the attach command reads them.
     * Not under "sessionmirror.", which is where configuration is read from.
     */
    public static final String STATE_VERSION = "io.sessionmirror.state.version";
    public static final String STATE_OPTIONS = "io.sessionmirror.state.options";
    public static final String STATE_SERVERS = "io.sessionmirror.state.servers";
    public static final String STATE_MODE = "io.sessionmirror.state.mode";
    /** "running", then "done <sessions written> of <found> in <ms> ms" (attach only). */
    public static final String STATE_EXPORT = "io.sessionmirror.state.export";
    /** The web apps whose existing sessions the attach exported, with counts. */
    public static final String STATE_WEBAPPS = "io.sessionmirror.state.webapps";

    /**
     * Which server families' session classes are loaded right now (at attach: what runs in this JVM), leaving
     * out a family that left every server it saw alone (its classes are there, but nothing is mirrored).
     */
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
            } else if (n.equals(TomcatInstrumentation.GLASSFISH_FORK)) {
                found.add("Payara"); // its Catalina fork: the ManagerBase found is not Apache Tomcat's
            }
        }
        if (found.contains("Payara")) {
            found.remove("Tomcat");
        }
        for (FamilyGate gate : GATES) {
            if (!gate.active() && !gate.refusals().isEmpty()) {
                found.remove(gate.family().name());
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

    /** Retransforms loaded classes without changing their shape; looks only at the classes {@code ours} names. */
    private static AgentBuilder builder(Logger log, ElementMatcher.Junction<TypeDescription> ours) {
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(new ErrorListener(log))
                .ignore(not(ours));
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
