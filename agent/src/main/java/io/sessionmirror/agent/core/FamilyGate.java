package io.sessionmirror.agent.core;

import io.sessionmirror.agent.support.RequiredMembers;
import io.sessionmirror.agent.support.log.LogRoute;
import io.sessionmirror.bootstrap.MirrorBridge;
import java.io.File;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;

/**
 * Decides, once per class loader, whether a family may instrument the server classes that loader defines:
 * only where the inlined advice can reach {@link MirrorBridge} (a class loader that does not delegate
 * {@code io.sessionmirror.bootstrap} to the boot class path, such as a JBoss Modules module, would make every
 * hook a suppressed {@code NoClassDefFoundError}) and where the server has every member the adapter needs
 * ({@link ServerFamily#requiredMembers}; a fork such as Payara's Catalina would make every hook a silent
 * no-op). Otherwise the family leaves that server alone and says so in one line naming the server version and
 * the missing member or the setting to change. The check reads class files only: nothing is loaded but the
 * bridge, which is on the boot class path.
 */
public final class FamilyGate implements AgentBuilder.RawMatcher {

    private static final String BRIDGE = MirrorBridge.class.getName();

    private final ServerFamily family;
    private final Logger log;
    /** Per class loader: null when admitted, else the line that said why not. Weak: loaders come and go. */
    private final Map<ClassLoader, String> verdicts = new WeakHashMap<>();
    private String bootVerdict;
    private boolean bootChecked;
    private boolean admittedAny;
    private final List<String> refusals = new ArrayList<>();
    /** The verdict on a class loader whose server is another family's (see {@link ServerFamily#recognizes}). */
    static final String NOT_OURS = "";

    private final MirrorCoverage coverage;

    public FamilyGate(ServerFamily family, Logger log) {
        this(family, log, new MirrorCoverage(log));
    }

    /** {@code coverage}: shared by every family's gate, to say when none of them is at work. */
    public FamilyGate(ServerFamily family, Logger log, MirrorCoverage coverage) {
        this.family = family;
        this.log = log;
        this.coverage = coverage;
        coverage.watch(this);
    }

    /** {@code types} of this family, admitted by this gate: what a family passes to {@code AgentBuilder.type}. */
    public AgentBuilder.RawMatcher type(ElementMatcher<? super TypeDescription> types) {
        // The name first: the gate runs only for the family's own classes.
        return (type, loader, module, redefined, domain) -> types.matches(type) && admits(loader, domain);
    }

    @Override
    public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module, Class<?> classBeingRedefined,
                           ProtectionDomain domain) {
        return admits(loader, domain);
    }

    /**
     * Whether this family's classes defined by {@code loader} may be instrumented; logs a refusal once. The check
     * runs outside this gate's lock (it asks {@code loader} for the bridge class, and that loader's lock may be
     * held by a thread waiting here); two threads that check one loader at once agree, and one of them logs.
     */
    public boolean admits(ClassLoader loader, ProtectionDomain domain) {
        synchronized (this) {
            if (loader == null ? bootChecked : verdicts.containsKey(loader)) {
                return admitted(loader == null ? bootVerdict : verdicts.get(loader));
            }
        }
        // The server is far enough to load its session classes: if it logs what stderr gets, use its log from here.
        LogRoute.serverClassesSeen();
        String refusal = check(loader, domain);
        synchronized (this) {
            if (loader == null ? bootChecked : verdicts.containsKey(loader)) {
                return admitted(loader == null ? bootVerdict : verdicts.get(loader));
            }
            if (loader == null) {
                bootChecked = true;
                bootVerdict = refusal;
            } else {
                verdicts.put(loader, refusal);
            }
            if (refusal == NOT_OURS) {
                log.debug("The {} family leaves {} to another family", family.name(), loader);
            } else if (refusal != null) {
                refusals.add(refusal);
                log.warn(refusal);
            } else {
                admitted(null);
            }
        }
        if (refusal != null) {
            coverage.leftAlone(); // outside this gate's lock: it asks every gate
        }
        return refusal == null;
    }

    private boolean admitted(String refusal) {
        if (refusal == null) {
            admittedAny = true;
        }
        return refusal == null;
    }

    /** Whether some class loader's server classes of this family were admitted (the family is at work). */
    public synchronized boolean active() {
        return admittedAny;
    }

    /** The lines logged for the class loaders this family left alone. */
    public synchronized List<String> refusals() {
        return new ArrayList<>(refusals);
    }

    public ServerFamily family() {
        return family;
    }

    /**
     * Null when the family may work in {@code loader}, {@link #NOT_OURS} when its server is another family's, else
     * the line that says why not and what to do.
     */
    String check(ClassLoader loader, ProtectionDomain domain) {
        TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(loader));
        try {
            if (!family.recognizes(pool)) {
                return NOT_OURS;
            }
        } catch (RuntimeException | LinkageError e) {
            log.debug("Could not tell whether {} is a {} server: {}", loader, family.name(), e.toString());
        }
        String bridge = bridgeProblem(loader);
        if (bridge != null) {
            return leftAlone(domain, bridge);
        }
        List<RequiredMembers.Member> missing;
        try {
            missing = family.requiredMembers().missing(pool);
        } catch (RuntimeException | LinkageError e) {
            // the class files cannot be read (a loader without resources): do not refuse a server for that
            log.debug("Could not check the {} members in {}: {}", family.name(), loader, e.toString());
            return null;
        }
        if (missing.isEmpty()) {
            return null;
        }
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < missing.size() && i < 3; i++) {
            names.append(i == 0 ? "" : ", ").append(missing.get(i));
        }
        if (missing.size() > 3) {
            names.append(" and ").append(missing.size() - 3).append(" more");
        }
        return leftAlone(domain, "it has no " + names + ", which Session Mirror needs: this is not a " + family.name()
                + " version Session Mirror supports (see docs/compatibility.md; a fork such as Payara's or"
                + " GlassFish's Catalina differs)");
    }

    private String leftAlone(ProtectionDomain domain, String why) {
        return "Session Mirror leaves " + family.name() + " alone in " + serverVersion(domain) + ": " + why
                + ". Its sessions are not mirrored.";
    }

    /** Why the advice inlined into classes of {@code loader} could not call the bridge, or null if it can. */
    static String bridgeProblem(ClassLoader loader) {
        try {
            if (Class.forName(BRIDGE, false, loader) == MirrorBridge.class) {
                return null;
            }
            return "its class loader " + describe(loader) + " has a copy of " + BRIDGE + " of its own instead of the"
                    + " one on the boot class path; remove session-mirror jars from the server's own class path";
        } catch (ClassNotFoundException | LinkageError e) {
            return "its class loader " + describe(loader) + " cannot see " + BRIDGE + ", which the agent puts on the"
                    + " boot class path; " + delegationHint(loader);
        }
    }

    /**
     * What to do when a loader does not delegate the bridge's package. JBoss Modules', Felix's and Equinox's loaders
     * are made to by the agent itself (BridgeDelegation), so for them this is a bug to report, with the server's own
     * setting as the workaround; for any other loader, the setting is the way.
     */
    private static String delegationHint(ClassLoader loader) {
        String type = loader == null ? "" : loader.getClass().getName();
        if (type.startsWith("org.jboss.modules.")) {
            return "the agent should have made it delegate that package (please report this); until then add"
                    + " io.sessionmirror.bootstrap to JBOSS_MODULES_SYSTEM_PKGS near the top of bin/standalone.conf,"
                    + " keeping what it holds: JBOSS_MODULES_SYSTEM_PKGS=\"org.jboss.byteman,io.sessionmirror.bootstrap\"";
        }
        if (type.startsWith("org.eclipse.osgi.") || type.startsWith("org.apache.felix.")) {
            return "the agent should have made it delegate that package (please report this); until then add"
                    + " io.sessionmirror.bootstrap to org.osgi.framework.bootdelegation (Payara, GlassFish:"
                    + " config/osgi.properties)";
        }
        return "make that class loader delegate the package io.sessionmirror.bootstrap to its parent";
    }

    private static String describe(ClassLoader loader) {
        if (loader == null) {
            return "(the boot class loader)";
        }
        String text = String.valueOf(loader);
        if (text.length() > 120) {
            text = text.substring(0, 120) + "...";
        }
        return "(" + loader.getClass().getName() + (text.startsWith(loader.getClass().getName()) ? "" : ": " + text) + ")";
    }

    /** The server's jar and version as its manifest names them, else the jar's file name. */
    static String serverVersion(ProtectionDomain domain) {
        CodeSource source = domain == null ? null : domain.getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "an unknown version";
        }
        String location = source.getLocation().toString();
        if (location.startsWith("jar:")) { // jar:file:/.../x.jar!/ (JBoss Modules, nested jars)
            location = location.substring(4, location.contains("!/") ? location.indexOf("!/") : location.length());
        }
        String file = location.substring(location.lastIndexOf('/', location.length() - 2) + 1);
        try {
            File jar = new File(new java.net.URI(location));
            if (jar.isFile()) {
                try (JarFile j = new JarFile(jar, false)) {
                    Manifest m = j.getManifest();
                    Attributes a = m == null ? null : m.getMainAttributes();
                    if (a != null) {
                        String title = first(a, "Implementation-Title", "Bundle-Name");
                        String version = first(a, "Implementation-Version", "Bundle-Version");
                        if (version != null) {
                            return file + " (" + (title == null ? "" : title + " ") + version + ")";
                        }
                    }
                }
            }
        } catch (Exception | LinkageError e) {
            // not a local jar: its name is all there is
        }
        return file;
    }

    private static String first(Attributes a, String... names) {
        for (String n : names) {
            String v = a.getValue(n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }
}
